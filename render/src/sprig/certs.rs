//! Sprig's certificate functions: `genCA`, `genSelfSignedCert`, `genSignedCert`, their `WithKey` forms,
//! and `buildCustomCert`.
//!
//! Each returns Sprig's `certificate`, a struct with the PEM strings `Cert` and `Key`; canopy gives it as a
//! map with those two keys, so `$c.Cert` and `$c.Key` read as in Helm, and `toJson`/`toYaml` print it
//! as Go does. The certificates are the ones Go's `x509.CreateCertificate` makes from Sprig's template:
//! X.509 v3, a random 128-bit serial number, the subject just the common name, valid from now for the
//! given days, key usage (critical) digital signature and key encipherment (plus certificate signing for
//! a CA), extended key usage server and client authentication, basic constraints (critical) with the CA
//! flag for `genCA` only, DNS and IP subject alternative names, a subject key identifier on CA
//! certificates (the first 160 bits of the public key's SHA-256, as Go 1.25 does) and the issuer's key
//! identifier on certificates it signs. New keys are RSA 2048; `WithKey` forms take a PEM key (RSA, P-256,
//! P-384 or Ed25519; see [`super::keys`]). A certificate is signed as Go signs it with its issuer's key:
//! SHA-256 with RSA (PKCS #1 v1.5), ECDSA with SHA-256 (P-256) or SHA-384 (P-384), or Ed25519.

use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use der::asn1::{BitString, GeneralizedTime, Ia5String, OctetString, SetOfVec, UtcTime};
use der::oid::db::rfc5280::{ID_KP_CLIENT_AUTH, ID_KP_SERVER_AUTH};
use der::oid::{AssociatedOid, ObjectIdentifier};
use der::{Any, DateTime, Decode, Encode, Tag};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

use crate::template::{Funcs, Value};

use super::args::{exact, int, string};
use super::keys::PrivateKey;
use super::pem;

/// The `commonName` attribute.
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// Registers the certificate functions.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("genCA", |_, a| {
        exact(a, 2)?;
        let (cn, days) = (string(&a[0])?, int(&a[1])?);
        let key = PrivateKey::rsa(2048)?;
        ca(cn, days, key)
    });
    f.insert("genCAWithKey", |_, a| {
        exact(a, 3)?;
        let (cn, days) = (string(&a[0])?, int(&a[1])?);
        ca(cn, days, pem_key(&a[2])?)
    });
    f.insert("genSelfSignedCert", |_, a| {
        exact(a, 4)?;
        let spec = Spec::from_args(&a[..4])?;
        let key = PrivateKey::rsa(2048)?;
        create(&spec, &key, None, &key)
    });
    f.insert("genSelfSignedCertWithKey", |_, a| {
        exact(a, 5)?;
        let spec = Spec::from_args(&a[..4])?;
        let key = pem_key(&a[4])?;
        create(&spec, &key, None, &key)
    });
    f.insert("genSignedCert", |_, a| {
        exact(a, 5)?;
        let spec = Spec::from_args(&a[..4])?;
        let ca = Signer::from_value(&a[4])?;
        let key = PrivateKey::rsa(2048)?;
        create(&spec, &key, Some(&ca.cert), &ca.key)
    });
    f.insert("genSignedCertWithKey", |_, a| {
        exact(a, 6)?;
        let spec = Spec::from_args(&a[..4])?;
        let ca = Signer::from_value(&a[4])?;
        let key = pem_key(&a[5])?;
        create(&spec, &key, Some(&ca.cert), &ca.key)
    });
    f.insert("buildCustomCert", |_, a| {
        exact(a, 2)?;
        build_custom(string(&a[0])?, string(&a[1])?)
    });
}

/// Sprig's `certificate` value: `.Cert` and `.Key`.
fn certificate(cert: String, key: String) -> Value {
    Value::map([("Cert", Value::String(cert)), ("Key", Value::String(key))])
}

/// A key given as PEM text, as the `WithKey` forms take it.
fn pem_key(v: &Value) -> Result<PrivateKey, String> {
    PrivateKey::from_pem(string(v)?).map_err(|e| format!("parsing private key: {e}"))
}

/// `genCA` and `genCAWithKey`: a self-signed certificate that may sign others.
fn ca(cn: &str, days: i64, key: PrivateKey) -> Result<Value, String> {
    let spec = Spec {
        cn: cn.to_string(),
        ips: Vec::new(),
        dns_names: Vec::new(),
        days,
        is_ca: true,
    };
    create(&spec, &key, None, &key)
}

/// What Sprig's `getBaseCertTemplate` puts in a certificate.
#[derive(Debug, Clone)]
struct Spec {
    cn: String,
    ips: Vec<IpAddr>,
    dns_names: Vec<String>,
    days: i64,
    is_ca: bool,
}

impl Spec {
    /// The `cn ips dnsNames days` arguments of a certificate that is no CA: the lists may be nil, and
    /// hold only strings.
    fn from_args(a: &[Value]) -> Result<Spec, String> {
        let cn = string(&a[0])?.to_string();
        let ips = list(&a[1])?
            .iter()
            .map(|ip| match ip {
                Value::String(s) => s
                    .parse::<IpAddr>()
                    .map_err(|_| format!("error parsing ip: {s}")),
                v => Err(format!(
                    "error parsing ip: {} is not a string",
                    super::args::strval(v)
                )),
            })
            .collect::<Result<_, _>>()?;
        let dns_names = list(&a[2])?
            .iter()
            .map(|name| match name {
                Value::String(s) => Ok(s.clone()),
                v => Err(format!(
                    "error processing alternate dns name: {} is not a string",
                    super::args::strval(v)
                )),
            })
            .collect::<Result<_, _>>()?;
        let days = int(&a[3])?;
        Ok(Spec {
            cn,
            ips,
            dns_names,
            days,
            is_ca: false,
        })
    }
}

/// A `[]interface{}` parameter: a list, or nil for none.
fn list(v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::List(items) => Ok(items.to_vec()),
        Value::Nil => Ok(Vec::new()),
        v => Err(format!(
            "wrong type for value; expected []interface {{}}; got {}",
            v.type_name()
        )),
    }
}

/// A CA as `genSignedCert` takes it: its certificate and key, read from a certificate value.
struct Signer {
    cert: Certificate,
    key: PrivateKey,
}

impl Signer {
    /// Reads Sprig's `certificate` value (canopy's map with `Cert` and `Key`).
    fn from_value(v: &Value) -> Result<Signer, String> {
        let Value::Map(m) = v else {
            return Err(match v {
                Value::Nil => "invalid value; expected sprig.certificate".into(),
                v => format!(
                    "wrong type for value; expected sprig.certificate; got {}",
                    v.type_name()
                ),
            });
        };
        let field = |name: &str| match m.get(name) {
            Some(Value::String(s)) => s,
            _ => String::new(),
        };
        let (_, der) = pem::decode(&field("Cert")).ok_or("unable to decode certificate")?;
        let cert = Certificate::from_der(&der)
            .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
        let key = PrivateKey::from_pem(&field("Key"))
            .map_err(|e| format!("error parsing private key: {e}"))?;
        Ok(Signer { cert, key })
    }
}

/// Go's `x509.CreateCertificate` on Sprig's template: a certificate for `signee` made from `spec`, issued
/// by `parent` (itself when `None`) and signed with `signer`, with `signee` in PEM beside it.
fn create(
    spec: &Spec,
    signee: &PrivateKey,
    parent: Option<&Certificate>,
    signer: &PrivateKey,
) -> Result<Value, String> {
    let (cert, key) = create_pem(spec, signee, parent, signer)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(certificate(cert, key))
}

/// [`create`]'s certificate and key, as PEM.
fn create_pem(
    spec: &Spec,
    signee: &PrivateKey,
    parent: Option<&Certificate>,
    signer: &PrivateKey,
) -> Result<(String, String), String> {
    let algorithm = signer.signature_algorithm()?;
    let public_key = signee.public_key_info()?;
    let subject = name(&spec.cn)?;
    let issuer = match parent {
        Some(p) => p.tbs_certificate.subject.clone(),
        None => subject.clone(),
    };
    let der_err = |e: der::Error| e.to_string();

    // Go checks that the signing key belongs to the parent certificate.
    let parent_key = match parent {
        Some(p) => p.tbs_certificate.subject_public_key_info.clone(),
        None => public_key.clone(),
    };
    if signer.public_key_info()? != parent_key {
        return Err("x509: provided PrivateKey doesn't match parent's PublicKey".into());
    }

    let mut extensions = Vec::new();
    let mut usages = KeyUsages::DigitalSignature | KeyUsages::KeyEncipherment;
    if spec.is_ca {
        usages |= KeyUsages::KeyCertSign;
    }
    extensions.push(extension(&KeyUsage(usages), true)?);
    extensions.push(extension(
        &ExtendedKeyUsage(vec![ID_KP_SERVER_AUTH, ID_KP_CLIENT_AUTH]),
        false,
    )?);
    extensions.push(extension(
        &BasicConstraints {
            ca: spec.is_ca,
            path_len_constraint: None,
        },
        true,
    )?);
    if spec.is_ca {
        let digest = Sha256::digest(public_key.subject_public_key.raw_bytes());
        let id = OctetString::new(&digest[..20]).map_err(der_err)?;
        extensions.push(extension(&SubjectKeyIdentifier(id), false)?);
    }
    if let Some(p) = parent
        && issuer != subject
        && let Ok(Some((_, skid))) = p.tbs_certificate.get::<SubjectKeyIdentifier>()
    {
        let akid = AuthorityKeyIdentifier {
            key_identifier: Some(skid.0),
            ..Default::default()
        };
        extensions.push(extension(&akid, false)?);
    }
    if !spec.dns_names.is_empty() || !spec.ips.is_empty() {
        let mut names = Vec::new();
        for dns in &spec.dns_names {
            let ia5 = Ia5String::new(dns)
                .map_err(|_| format!("x509: {dns:?} cannot be encoded as an IA5String"))?;
            names.push(GeneralName::DnsName(ia5));
        }
        for ip in &spec.ips {
            // Go writes IPv4 (and IPv4-mapped IPv6) addresses in 4 bytes.
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => v4.octets().to_vec(),
                    None => v6.octets().to_vec(),
                },
            };
            names.push(GeneralName::IpAddress(
                OctetString::new(bytes).map_err(der_err)?,
            ));
        }
        extensions.push(extension(&SubjectAltName(names), spec.cn.is_empty())?);
    }

    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial).map_err(der_err)?,
        signature: algorithm.clone(),
        issuer,
        validity: validity(SystemTime::now(), spec.days)?,
        subject,
        subject_public_key_info: public_key,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = signer.sign(&tbs.to_der().map_err(der_err)?)?;
    let cert = Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature).map_err(der_err)?,
    };
    Ok((
        pem::encode("CERTIFICATE", &cert.to_der().map_err(der_err)?),
        signee.to_pem()?,
    ))
}

/// An extension, `critical` or not: Go marks key usage and basic constraints critical, and the
/// alternative names when the subject is empty.
fn extension<E: AssociatedOid + Encode>(e: &E, critical: bool) -> Result<Extension, String> {
    let value = e.to_der().map_err(|e| e.to_string())?;
    Ok(Extension {
        extn_id: E::OID,
        critical,
        extn_value: OctetString::new(value).map_err(|e| e.to_string())?,
    })
}

/// The subject Go writes for `pkix.Name{CommonName: cn}`: one attribute, a PrintableString when the name
/// allows it and a UTF8String otherwise; nothing at all for an empty name.
fn name(cn: &str) -> Result<Name, String> {
    if cn.is_empty() {
        return Ok(RdnSequence(Vec::new()));
    }
    let printable = cn
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " '()+,-./:=?".contains(c));
    let tag = if printable {
        Tag::PrintableString
    } else {
        Tag::Utf8String
    };
    let value = Any::new(tag, cn.as_bytes()).map_err(|e| e.to_string())?;
    let atv = AttributeTypeAndValue {
        oid: COMMON_NAME,
        value,
    };
    let rdn = SetOfVec::try_from(vec![atv]).map_err(|e| e.to_string())?;
    Ok(RdnSequence(vec![RelativeDistinguishedName(rdn)]))
}

/// From `now` for `days` days. Go computes the end as `now + 24h * days` in a 64-bit count of
/// nanoseconds, which wraps past about 106,751 days; canopy wraps the same way. Times through 2049 are
/// UTCTime, later ones GeneralizedTime, as RFC 5280 and Go have it.
fn validity(now: SystemTime, days: i64) -> Result<Validity, String> {
    let now_ns = i128::try_from(
        now.duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_nanos(),
    )
    .map_err(|e| e.to_string())?;
    let span = i128::from(86_400_000_000_000i64.wrapping_mul(days));
    Ok(Validity {
        not_before: time(now_ns)?,
        not_after: time(now_ns + span)?,
    })
}

/// A certificate time at `ns` nanoseconds since the epoch, truncated to the second.
fn time(ns: i128) -> Result<Time, String> {
    let secs = u64::try_from(ns.div_euclid(1_000_000_000))
        .map_err(|_| "certificate times before 1970 are not supported".to_string())?;
    let dt = DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(|e| e.to_string())?;
    Ok(if dt.year() <= UtcTime::MAX_YEAR {
        Time::UtcTime(UtcTime::from_date_time(dt).map_err(|e| e.to_string())?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(dt))
    })
}

/// Sprig's `buildCustomCert`: a certificate value from a base64 certificate and key, both checked.
fn build_custom(cert_b64: &str, key_b64: &str) -> Result<Value, String> {
    let strip = |s: &str| s.replace(['\r', '\n'], "");
    let cert = STANDARD
        .decode(strip(cert_b64))
        .map_err(|_| "unable to decode base64 certificate")?;
    let key = STANDARD
        .decode(strip(key_b64))
        .map_err(|_| "unable to decode base64 private key")?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let (_, der) = pem::decode(&cert).ok_or("unable to decode certificate")?;
    Certificate::from_der(&der)
        .map_err(|e| format!("error parsing certificate: decodedCert.Bytes: {e}"))?;
    PrivateKey::from_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(certificate(cert, key))
}

#[cfg(test)]
mod tests;
