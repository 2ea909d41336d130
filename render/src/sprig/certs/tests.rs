//! Certificates from templates, decoded and checked field by field.

use std::time::{Duration, SystemTime};

use der::asn1::Ia5String;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage};
use x509_cert::spki::SubjectPublicKeyInfoOwned;

use super::*;
use crate::template::Template;

/// Renders `text`, or the error's text.
fn render(text: &str) -> Result<String, String> {
    Template::new("t")
        .funcs(&super::super::funcs())
        .parse(text)
        .map_err(|e| e.to_string())?
        .execute("t", &Value::Nil)
        .map_err(|e| e.to_string())
}

/// The certificate and key that `setup` (ending in `$c := ...`) makes.
fn make(setup: &str) -> (Certificate, String, String) {
    // Each render makes a new certificate: print both parts in one.
    let both = render(&format!("{setup}{{{{ $c.Cert }}}}@@{{{{ $c.Key }}}}")).unwrap();
    let (cert_pem, key_pem) = both.split_once("@@").unwrap();
    assert!(
        cert_pem.starts_with("-----BEGIN CERTIFICATE-----\n"),
        "{cert_pem}"
    );
    assert!(
        cert_pem.ends_with("-----END CERTIFICATE-----\n"),
        "{cert_pem}"
    );
    let (label, der) = pem::decode(cert_pem).unwrap();
    assert_eq!(label, "CERTIFICATE");
    let cert = Certificate::from_der(&der).unwrap();
    assert_eq!(cert.to_der().unwrap(), der, "DER round-trips");
    (cert, cert_pem.to_string(), key_pem.to_string())
}

/// The common name of a subject or issuer.
fn cn(name: &Name) -> String {
    let atv = name.0[0].0.get(0).unwrap();
    assert_eq!(atv.oid, COMMON_NAME);
    String::from_utf8(atv.value.value().to_vec()).unwrap()
}

/// Checks `cert`'s signature with the public key `by`.
fn verify(cert: &Certificate, by: &SubjectPublicKeyInfoOwned) {
    let tbs = cert.tbs_certificate.to_der().unwrap();
    let sig = cert.signature.raw_bytes();
    let spki = by.to_der().unwrap();
    assert_eq!(cert.signature_algorithm, cert.tbs_certificate.signature);
    match cert.signature_algorithm.oid.to_string().as_str() {
        "1.2.840.113549.1.1.11" => {
            let key = rsa::RsaPublicKey::from_public_key_der(&spki).unwrap();
            let sig = rsa::pkcs1v15::Signature::try_from(sig).unwrap();
            rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(key)
                .verify(&tbs, &sig)
                .unwrap();
        }
        "1.2.840.10045.4.3.2" => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki).unwrap();
            let sig = p256::ecdsa::Signature::from_der(sig).unwrap();
            key.verify(&tbs, &sig).unwrap();
        }
        "1.2.840.10045.4.3.3" => {
            let key = p384::ecdsa::VerifyingKey::from_public_key_der(&spki).unwrap();
            let sig = p384::ecdsa::Signature::from_der(sig).unwrap();
            key.verify(&tbs, &sig).unwrap();
        }
        "1.3.101.112" => {
            let raw: [u8; 32] = by.subject_public_key.raw_bytes().try_into().unwrap();
            let key = ed25519_dalek::VerifyingKey::from_bytes(&raw).unwrap();
            let sig = ed25519_dalek::Signature::from_slice(sig).unwrap();
            key.verify(&tbs, &sig).unwrap();
        }
        other => panic!("unexpected signature algorithm {other}"),
    }
}

/// The public key of a PEM private key.
fn public_of(key_pem: &str) -> SubjectPublicKeyInfoOwned {
    PrivateKey::from_pem(key_pem)
        .unwrap()
        .public_key_info()
        .unwrap()
}

/// Checks validity is `days` days from about now.
fn check_days(cert: &Certificate, days: u64) {
    let v = cert.tbs_certificate.validity;
    let from = v.not_before.to_system_time();
    let to = v.not_after.to_system_time();
    assert_eq!(
        to.duration_since(from).unwrap(),
        Duration::from_secs(days * 86_400)
    );
    let age = SystemTime::now().duration_since(from).unwrap();
    assert!(age < Duration::from_secs(120), "not before is now: {age:?}");
}

#[test]
fn self_signed_certificates_carry_the_template_fields() {
    let (cert, _, key) = make(
        r#"{{ $c := genSelfSignedCert "foo.com" (list "10.0.0.1" "::1") (list "bar.com" "bat.com") 365 }}"#,
    );
    let tbs = &cert.tbs_certificate;
    assert_eq!(tbs.version, Version::V3);
    assert_eq!(cn(&tbs.subject), "foo.com");
    assert_eq!(tbs.issuer, tbs.subject);
    assert!(tbs.serial_number.as_bytes().len() <= 17);
    check_days(&cert, 365);
    let (critical, bc) = tbs.get::<BasicConstraints>().unwrap().unwrap();
    assert!(critical && !bc.ca);
    let (critical, ku) = tbs.get::<KeyUsage>().unwrap().unwrap();
    assert!(critical);
    assert_eq!(
        ku.0,
        KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment
    );
    let (_, eku) = tbs.get::<ExtendedKeyUsage>().unwrap().unwrap();
    assert_eq!(eku.0, vec![ID_KP_SERVER_AUTH, ID_KP_CLIENT_AUTH]);
    assert!(tbs.get::<SubjectKeyIdentifier>().unwrap().is_none());
    let (critical, san) = tbs.get::<SubjectAltName>().unwrap().unwrap();
    assert!(!critical);
    assert_eq!(
        san.0,
        vec![
            GeneralName::DnsName(Ia5String::new("bar.com").unwrap()),
            GeneralName::DnsName(Ia5String::new("bat.com").unwrap()),
            GeneralName::IpAddress(OctetString::new(vec![10, 0, 0, 1]).unwrap()),
            GeneralName::IpAddress(
                OctetString::new("::1".parse::<std::net::Ipv6Addr>().unwrap().octets()).unwrap()
            ),
        ]
    );
    // The key is RSA 2048 in PKCS #1, and the certificate is signed with it.
    assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    let PrivateKey::Rsa(k) = PrivateKey::from_pem(&key).unwrap() else {
        panic!("not RSA")
    };
    assert_eq!(rsa::traits::PublicKeyParts::size(&*k), 256);
    assert_eq!(public_of(&key), tbs.subject_public_key_info);
    verify(&cert, &tbs.subject_public_key_info);
}

#[test]
fn nil_and_empty_lists_make_no_alternative_names() {
    for lists in ["nil nil", "(list) (list)"] {
        let (cert, _, _) = make(&format!(
            r#"{{{{ $c := genSelfSignedCert "foo" {lists} 1 }}}}"#
        ));
        assert!(
            cert.tbs_certificate
                .get::<SubjectAltName>()
                .unwrap()
                .is_none()
        );
        check_days(&cert, 1);
    }
    let out =
        render(r#"{{ $c := genSelfSignedCert "foo" nil nil 365 }}{{ $c.Cert | b64enc }}"#).unwrap();
    let text = String::from_utf8(STANDARD.decode(out).unwrap()).unwrap();
    assert!(text.starts_with("-----BEGIN CERTIFICATE-----"));
}

#[test]
fn ca_certificates_may_sign_and_sign_what_gen_signed_cert_makes() {
    let setup = r#"{{ $ca := genCA "foo-ca" 3650 }}"#;
    let (ca, _, ca_key) = make(&format!("{setup}{{{{ $c := $ca }}}}"));
    assert_eq!(
        public_of(&ca_key),
        ca.tbs_certificate.subject_public_key_info
    );
    let tbs = &ca.tbs_certificate;
    assert_eq!(cn(&tbs.subject), "foo-ca");
    let (_, bc) = tbs.get::<BasicConstraints>().unwrap().unwrap();
    assert!(bc.ca);
    assert_eq!(bc.path_len_constraint, None);
    let (_, ku) = tbs.get::<KeyUsage>().unwrap().unwrap();
    assert!(ku.0.contains(KeyUsages::KeyCertSign));
    let (_, skid) = tbs.get::<SubjectKeyIdentifier>().unwrap().unwrap();
    assert_eq!(skid.0.as_bytes().len(), 20);
    assert!(tbs.get::<AuthorityKeyIdentifier>().unwrap().is_none());
    check_days(&ca, 3650);
    verify(&ca, &tbs.subject_public_key_info);

    // A leaf signed by that CA, in the same render.
    let out = render(&format!(
        r#"{setup}{{{{ $c := genSignedCert "foo.com" nil (list "foo.com") 365 $ca }}}}{{{{ $ca.Cert }}}}@@{{{{ $ca.Key }}}}@@{{{{ $c.Cert }}}}@@{{{{ $c.Key }}}}"#
    ))
    .unwrap();
    let parts: Vec<&str> = out.split("@@").collect();
    let ca = Certificate::from_der(&pem::decode(parts[0]).unwrap().1).unwrap();
    let leaf = Certificate::from_der(&pem::decode(parts[2]).unwrap().1).unwrap();
    let lt = &leaf.tbs_certificate;
    assert_eq!(lt.issuer, ca.tbs_certificate.subject);
    assert_eq!(cn(&lt.subject), "foo.com");
    let (_, bc) = lt.get::<BasicConstraints>().unwrap().unwrap();
    assert!(!bc.ca);
    let (_, ca_skid) = ca
        .tbs_certificate
        .get::<SubjectKeyIdentifier>()
        .unwrap()
        .unwrap();
    let (_, akid) = lt.get::<AuthorityKeyIdentifier>().unwrap().unwrap();
    assert_eq!(akid.key_identifier, Some(ca_skid.0));
    verify(&leaf, &ca.tbs_certificate.subject_public_key_info);
    assert_eq!(public_of(parts[3]), lt.subject_public_key_info);
    assert_ne!(
        lt.subject_public_key_info,
        ca.tbs_certificate.subject_public_key_info
    );
    assert_eq!(
        public_of(parts[1]),
        ca.tbs_certificate.subject_public_key_info
    );
}

#[test]
fn with_key_forms_use_the_given_key() {
    for kind in ["ecdsa", "ed25519", "rsa"] {
        let setup = format!(r#"{{{{ $k := genPrivateKey "{kind}" }}}}"#);
        let out = render(&format!(
            r#"{setup}{{{{ $c := genCAWithKey "ca" 30 $k }}}}{{{{ $k }}}}@@{{{{ $c.Cert }}}}@@{{{{ $c.Key }}}}"#
        ))
        .unwrap();
        let parts: Vec<&str> = out.split("@@").collect();
        let cert = Certificate::from_der(&pem::decode(parts[1]).unwrap().1).unwrap();
        let spki = &cert.tbs_certificate.subject_public_key_info;
        assert_eq!(&public_of(parts[0]), spki, "{kind}");
        assert_eq!(
            parts[2], parts[0],
            "{kind}: .Key is the key given, in the same form"
        );
        verify(&cert, spki);
    }

    // A self-signed certificate and a signed one with given keys.
    let out = render(
        r#"{{ $k := genPrivateKey "ed25519" }}{{ $ca := genCAWithKey "ca" 30 (genPrivateKey "ecdsa") }}{{ $s := genSelfSignedCertWithKey "self" nil nil 5 $k }}{{ $c := genSignedCertWithKey "leaf" (list "192.168.0.1") nil 5 $ca $k }}{{ $k }}@@{{ $s.Cert }}@@{{ $c.Cert }}@@{{ $ca.Cert }}"#,
    )
    .unwrap();
    let parts: Vec<&str> = out.split("@@").collect();
    let key = public_of(parts[0]);
    let own = Certificate::from_der(&pem::decode(parts[1]).unwrap().1).unwrap();
    assert_eq!(own.tbs_certificate.subject_public_key_info, key);
    verify(&own, &key);
    let leaf = Certificate::from_der(&pem::decode(parts[2]).unwrap().1).unwrap();
    let ca = Certificate::from_der(&pem::decode(parts[3]).unwrap().1).unwrap();
    assert_eq!(leaf.tbs_certificate.subject_public_key_info, key);
    assert_eq!(cn(&leaf.tbs_certificate.issuer), "ca");
    verify(&leaf, &ca.tbs_certificate.subject_public_key_info);
}

#[test]
fn build_custom_cert_checks_and_keeps_its_inputs() {
    let out = render(
        r#"{{ $ca := genCA "x" 1 }}{{ $b := buildCustomCert ($ca.Cert | b64enc) ($ca.Key | b64enc) }}{{ eq $b.Cert $ca.Cert }} {{ eq $b.Key $ca.Key }} {{ $b | toJson | fromJson | keys | sortAlpha }}"#,
    )
    .unwrap();
    assert_eq!(out, "true true [Cert Key]");
    let err = |text: &str| render(text).unwrap_err();
    assert!(err(r#"{{ buildCustomCert "!" "" }}"#).contains("unable to decode base64 certificate"));
    assert!(
        err(r#"{{ buildCustomCert ("fail" | b64enc) "" }}"#)
            .contains("unable to decode certificate")
    );
    assert!(
        err(r#"{{ $ca := genCA "x" 1 }}{{ buildCustomCert ($ca.Cert | b64enc) ("x" | b64enc) }}"#)
            .contains("error parsing private key: no PEM data in input")
    );
}

#[test]
fn bad_arguments_fail_as_in_sprig() {
    let err = |text: &str| render(text).unwrap_err();
    assert!(
        err(r#"{{ genSelfSignedCert "a" (list "1.2.3") nil 1 }}"#)
            .contains("error parsing ip: 1.2.3")
    );
    assert!(
        err(r#"{{ genSelfSignedCert "a" (list 1) nil 1 }}"#)
            .contains("error parsing ip: 1 is not a string")
    );
    assert!(
        err(r#"{{ genSelfSignedCert "a" nil (list 1) 1 }}"#)
            .contains("error processing alternate dns name: 1 is not a string")
    );
    assert!(err(r#"{{ genSelfSignedCert "a" "x" nil 1 }}"#).contains("expected []interface {}"));
    assert!(err(r#"{{ genSelfSignedCert "a" nil (list "ä") 1 }}"#).contains("IA5String"));
    assert!(
        err(r#"{{ genCAWithKey "a" 1 "x" }}"#)
            .contains("parsing private key: no PEM data in input")
    );
    assert!(
        err(r#"{{ genSignedCert "a" nil nil 1 (dict) }}"#).contains("unable to decode certificate")
    );
    assert!(err(r#"{{ genSignedCert "a" nil nil 1 nil }}"#).contains("expected sprig.certificate"));
    // The CA's key must be the one its certificate names.
    assert!(
        err(r#"{{ $a := genCA "a" 1 }}{{ $b := genCA "b" 1 }}{{ genSignedCert "c" nil nil 1 (dict "Cert" $a.Cert "Key" $b.Key) }}"#)
            .contains("x509: provided PrivateKey doesn't match parent's PublicKey")
    );
}

#[test]
fn validity_follows_go_time_arithmetic() {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let v = validity(now, 365).unwrap();
    assert!(matches!(v.not_before, Time::UtcTime(_)));
    assert_eq!(
        v.not_after.to_unix_duration(),
        Duration::from_secs(1_700_000_000 + 365 * 86_400)
    );
    // Past 2049 the time is a GeneralizedTime.
    assert!(matches!(
        validity(now, 36_500).unwrap().not_after,
        Time::GeneralTime(_)
    ));
    // Negative days end before they start, as in Go.
    assert!(
        validity(now, -1).unwrap().not_after.to_unix_duration() < v.not_before.to_unix_duration()
    );
}

#[test]
fn extensions_encode_as_go_writes_them() {
    let der = |e: Extension| e.extn_value.as_bytes().to_vec();
    let usage = KeyUsage(KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment);
    assert_eq!(
        der(extension(&usage, true).unwrap()),
        [0x03, 0x02, 0x05, 0xa0]
    );
    let ca_usage = KeyUsage(usage.0 | KeyUsages::KeyCertSign);
    assert_eq!(
        der(extension(&ca_usage, true).unwrap()),
        [0x03, 0x02, 0x02, 0xa4]
    );
    let leaf = BasicConstraints {
        ca: false,
        path_len_constraint: None,
    };
    assert_eq!(der(extension(&leaf, true).unwrap()), [0x30, 0x00]);
    let ca = BasicConstraints {
        ca: true,
        path_len_constraint: None,
    };
    assert_eq!(
        der(extension(&ca, true).unwrap()),
        [0x30, 0x03, 0x01, 0x01, 0xff]
    );
    // Go picks PrintableString where it can, UTF8String otherwise, and writes no name for "".
    let tag = |cn: &str| der::Tagged::tag(&name(cn).unwrap().0[0].0.get(0).unwrap().value);
    assert_eq!(tag("admission.traefik.svc"), Tag::PrintableString);
    assert_eq!(tag("under_score"), Tag::Utf8String);
    assert!(name("").unwrap().0.is_empty());
}

#[test]
fn derive_password_is_a_template_function() {
    assert_eq!(
        render(r#"{{ derivePassword 1 "pin" "password" "user" "example.com" }}"#).unwrap(),
        "6685"
    );
    assert!(
        render(r#"{{ derivePassword -1 "pin" "p" "u" "s" }}"#)
            .unwrap_err()
            .contains("expected unsigned integer")
    );
}

#[test]
fn p384_keys_sign_with_sha384() {
    let key = PrivateKey::P384(p384::SecretKey::random(&mut OsRng))
        .to_pem()
        .unwrap();
    let data = Value::map([("k", Value::String(key.clone()))]);
    let out = Template::new("t")
        .funcs(&super::super::funcs())
        .parse(r#"{{ $ca := genCAWithKey "x" 1 .k }}{{ $c := genSignedCert "y" nil nil 1 $ca }}{{ $ca.Cert }}@@{{ $c.Cert }}@@{{ $ca.Key }}"#)
        .unwrap()
        .execute("t", &data)
        .unwrap();
    let parts: Vec<&str> = out.split("@@").collect();
    let ca = Certificate::from_der(&pem::decode(parts[0]).unwrap().1).unwrap();
    let leaf = Certificate::from_der(&pem::decode(parts[1]).unwrap().1).unwrap();
    let spki = &ca.tbs_certificate.subject_public_key_info;
    assert_eq!(&public_of(&key), spki);
    assert_eq!(parts[2], key);
    assert_eq!(
        leaf.signature_algorithm.oid.to_string(),
        "1.2.840.10045.4.3.3"
    );
    verify(&ca, spki);
    verify(&leaf, spki);
}
