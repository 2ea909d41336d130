//! Code generated from `proto/` by `build.rs`: prost messages plus tonic clients and servers.
//!
//! These types stay at the edges of the other crates: the engine and rsync convert them to domain types with
//! `From`/`TryFrom` where they cross a process boundary.

/// Placement and action controllers (`canopy.controller.v1`).
pub mod controller {
    /// Version 1 of the controller services.
    // Generated code: the documentation lives in the .proto comments, which prost copies onto the messages
    // and fields, but tonic's generated client and server modules carry items without docs.
    #[allow(missing_docs)]
    pub mod v1 {
        tonic::include_proto!("canopy.controller.v1");
    }
}

/// The resource synchronizer (`canopy.rsync.v1`).
pub mod rsync {
    /// Version 1 of the rsync service.
    // Generated code: see the note on `controller::v1`.
    #[allow(missing_docs)]
    pub mod v1 {
        tonic::include_proto!("canopy.rsync.v1");
    }
}

#[cfg(test)]
mod tests {
    use super::controller::v1 as ctl;
    use super::rsync::v1 as rs;
    use prost::Message;

    #[test]
    fn filter_clusters_request_survives_the_wire() {
        let request = ctl::FilterClustersRequest {
            dig: Some(ctl::DigIdentity {
                project: "p".into(),
                deployment_intent_group: "dig".into(),
                revision: 2,
                ..Default::default()
            }),
            intent: Some(ctl::Intent {
                controller: "hpa".into(),
                name: "i1".into(),
                spec_json: r#"{"app":"nginx"}"#.into(),
            }),
            apps: vec![ctl::AppCandidates {
                app: "nginx".into(),
                groups: vec![ctl::ClusterGroup {
                    group: "1".into(),
                    mandatory: false,
                    clusters: vec![ctl::Cluster {
                        r#ref: Some(ctl::ClusterRef {
                            provider: "p1".into(),
                            cluster: "c1".into(),
                        }),
                        labels: vec!["edge".into()],
                        kv: vec![],
                    }],
                }],
            }],
        };
        let bytes = request.encode_to_vec();
        let back = ctl::FilterClustersRequest::decode(bytes.as_slice()).expect("decodes");
        assert_eq!(back, request);
    }

    #[test]
    fn an_edit_carries_exactly_one_operation() {
        let edit = ctl::Edit {
            app: "nginx".into(),
            selector: None,
            op: Some(ctl::edit::Op::Delete(ctl::DeleteResource {
                target: Some(ctl::ResourceKey {
                    kind: "Service".into(),
                    name: "web".into(),
                    ..Default::default()
                }),
            })),
        };
        let back = ctl::Edit::decode(edit.encode_to_vec().as_slice()).expect("decodes");
        assert!(matches!(back.op, Some(ctl::edit::Op::Delete(_))));
    }

    /// An rsync server that answers every call with the method's name and the context it was given.
    struct Echo;

    fn accepted(method: &str, ctx: String) -> Result<tonic::Response<rs::Accepted>, tonic::Status> {
        Ok(tonic::Response::new(rs::Accepted {
            app_context_id: ctx,
            newly_queued: true,
            message: method.into(),
        }))
    }

    #[tonic::async_trait]
    impl rs::rsync_server::Rsync for Echo {
        async fn install_app(
            &self,
            r: tonic::Request<rs::InstallAppRequest>,
        ) -> Result<tonic::Response<rs::Accepted>, tonic::Status> {
            accepted("install", r.into_inner().app_context_id)
        }
        async fn uninstall_app(
            &self,
            r: tonic::Request<rs::UninstallAppRequest>,
        ) -> Result<tonic::Response<rs::Accepted>, tonic::Status> {
            accepted("uninstall", r.into_inner().app_context_id)
        }
        async fn update_app(
            &self,
            r: tonic::Request<rs::UpdateAppRequest>,
        ) -> Result<tonic::Response<rs::Accepted>, tonic::Status> {
            let r = r.into_inner();
            accepted(
                &format!("update from {}", r.from_app_context_id),
                r.to_app_context_id,
            )
        }
        async fn rollback_app(
            &self,
            r: tonic::Request<rs::RollbackAppRequest>,
        ) -> Result<tonic::Response<rs::Accepted>, tonic::Status> {
            let r = r.into_inner();
            accepted(
                &format!("rollback from {}", r.from_app_context_id),
                r.to_app_context_id,
            )
        }
        async fn read_app_context(
            &self,
            r: tonic::Request<rs::ReadAppContextRequest>,
        ) -> Result<tonic::Response<rs::Accepted>, tonic::Status> {
            Err(tonic::Status::not_found(format!(
                "AppContext {} does not exist",
                r.into_inner().app_context_id
            )))
        }
    }

    #[tokio::test]
    async fn every_rsync_rpc_reaches_its_server_method_over_grpc() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let incoming = tonic::transport::server::TcpIncoming::from(listener);
        let server = tonic::transport::Server::builder()
            .add_service(rs::rsync_server::RsyncServer::new(Echo))
            .serve_with_incoming(incoming);
        let server = tokio::spawn(server);

        let mut client = rs::rsync_client::RsyncClient::connect(format!("http://{addr}"))
            .await
            .unwrap();
        let ctx = |id: &str| id.to_owned();
        let got = client
            .install_app(rs::InstallAppRequest {
                app_context_id: ctx("1"),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (got.message.as_str(), got.app_context_id.as_str()),
            ("install", "1")
        );
        let got = client
            .uninstall_app(rs::UninstallAppRequest {
                app_context_id: ctx("2"),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            (got.message.as_str(), got.app_context_id.as_str()),
            ("uninstall", "2")
        );
        let req = rs::UpdateAppRequest {
            from_app_context_id: ctx("3"),
            to_app_context_id: ctx("4"),
        };
        let got = client.update_app(req).await.unwrap().into_inner();
        assert_eq!(
            (got.message.as_str(), got.app_context_id.as_str()),
            ("update from 3", "4")
        );
        let req = rs::RollbackAppRequest {
            from_app_context_id: ctx("4"),
            to_app_context_id: ctx("3"),
        };
        let got = client.rollback_app(req).await.unwrap().into_inner();
        assert_eq!(
            (got.message.as_str(), got.app_context_id.as_str()),
            ("rollback from 4", "3")
        );
        let err = client
            .read_app_context(rs::ReadAppContextRequest {
                app_context_id: ctx("5"),
            })
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::NotFound);
        assert!(err.message().contains("AppContext 5"));
        server.abort();
    }
}
