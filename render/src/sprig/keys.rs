//! Private keys as Sprig handles them: `genPrivateKey`, the PEM forms Sprig's `parsePrivateKeyPEM` reads
//! and `pemBlockForKey` writes, and the public key and signature a certificate needs.
//!
//! The PEM forms are Go's: `RSA PRIVATE KEY` (PKCS #1), `EC PRIVATE KEY` (SEC 1, with the curve and the
//! public key), `DSA PRIVATE KEY` (OpenSSL's `SEQUENCE { version, p, q, g, y, x }`), and `PRIVATE KEY`
//! (PKCS #8) for Ed25519 and for reading any of RSA, EC and Ed25519. EC keys are P-256 or P-384: Go would
//! also read P-224 and P-521 keys, which canopy refuses with a message saying so. A DSA key can be
//! generated and read but, as in Go, cannot sign a certificate or be certified.

use der::asn1::{BitString, OctetStringRef, UintRef};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode, Sequence};
use rand_core::{OsRng, RngCore};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, PrivateKeyInfo};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::{RsaPrivateKey, pkcs1v15};
use x509_cert::spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::template::Funcs;

use super::args::{exact, string};
use super::pem;

/// `rsaEncryption`.
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `sha256WithRSAEncryption`, Go's signature algorithm for RSA keys.
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `id-ecPublicKey`.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// The P-256 curve (`prime256v1`).
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// The P-384 curve (`secp384r1`).
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// `ecdsa-with-SHA256`, Go's signature algorithm for P-256 keys.
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `ecdsa-with-SHA384`, Go's signature algorithm for P-384 keys.
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// `id-Ed25519`, both the key and the signature algorithm.
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A private key of one of the kinds Sprig generates and reads.
#[derive(Debug)]
pub(crate) enum PrivateKey {
    /// An RSA key.
    Rsa(Box<RsaPrivateKey>),
    /// An ECDSA key on P-256.
    P256(p256::SecretKey),
    /// An ECDSA key on P-384.
    P384(p384::SecretKey),
    /// An Ed25519 key.
    Ed25519(ed25519_dalek::SigningKey),
    /// A DSA key, kept as its numbers: it can be written out but not used in a certificate.
    Dsa(DsaKey),
}

/// A DSA key's numbers, as unsigned big-endian bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DsaKey {
    p: Vec<u8>,
    q: Vec<u8>,
    g: Vec<u8>,
    y: Vec<u8>,
    x: Vec<u8>,
}

/// The `DSA PRIVATE KEY` structure: Sprig's `DSAKeyFormat`.
#[derive(Sequence)]
struct DsaKeyFormat<'a> {
    version: i64,
    p: UintRef<'a>,
    q: UintRef<'a>,
    g: UintRef<'a>,
    y: UintRef<'a>,
    x: UintRef<'a>,
}

/// Registers `genPrivateKey`.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("genPrivateKey", |_, a| {
        exact(a, 1)?;
        Ok(generate_pem(string(&a[0])?).into())
    });
}

/// Sprig's `genPrivateKey`: a new key of `kind` in PEM, where `""` and `"rsa"` are RSA 4096, `"ecdsa"`
/// P-256, `"ed25519"` Ed25519 and `"dsa"` DSA L2048 N256. As in Sprig, failures come back as text, not
/// errors: `Unknown type KIND` for an unknown kind.
pub(crate) fn generate_pem(kind: &str) -> String {
    let key = match kind {
        "" | "rsa" => PrivateKey::rsa(4096),
        "dsa" => Ok(PrivateKey::Dsa(DsaKey::generate())),
        "ecdsa" => Ok(PrivateKey::P256(p256::SecretKey::random(&mut OsRng))),
        "ed25519" => Ok(PrivateKey::ed25519()),
        other => return format!("Unknown type {other}"),
    };
    match key.and_then(|k| k.to_pem()) {
        Ok(pem) => pem,
        Err(e) => format!("failed to generate private key: {e}"),
    }
}

impl PrivateKey {
    /// A new RSA key of `bits` bits with exponent 65537, as Go's `rsa.GenerateKey`.
    pub(crate) fn rsa(bits: usize) -> Result<PrivateKey, String> {
        RsaPrivateKey::new(&mut OsRng, bits)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("error generating rsa key: {e}"))
    }

    /// A new Ed25519 key from a random seed.
    fn ed25519() -> PrivateKey {
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// Sprig's `parsePrivateKeyPEM`: the first PEM block of `text`, read by its type.
    pub(crate) fn from_pem(text: &str) -> Result<PrivateKey, String> {
        let (label, der) = pem::decode(text).ok_or("no PEM data in input")?;
        if label == "PRIVATE KEY" {
            return from_pkcs8(&der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
        }
        let Some(kind) = label.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {label}"));
        };
        match kind {
            "RSA" => RsaPrivateKey::from_pkcs1_der(&der)
                .map(|k| PrivateKey::Rsa(Box::new(k)))
                .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
            "EC" => from_sec1(&der).map_err(|e| format!("parsing EC private key from PEM: {e}")),
            "DSA" => DsaKey::from_der(&der)
                .map(PrivateKey::Dsa)
                .map_err(|e| format!("parsing DSA private key from PEM: {e}")),
            _ => Err(format!("invalid private key type {label}")),
        }
    }

    /// Sprig's `pemBlockForKey`: the key in the PEM form Go writes for its kind.
    pub(crate) fn to_pem(&self) -> Result<String, String> {
        let (label, der) = match self {
            PrivateKey::Rsa(k) => (
                "RSA PRIVATE KEY",
                k.to_pkcs1_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec(),
            ),
            PrivateKey::P256(k) => {
                use p256::elliptic_curve::sec1::ToEncodedPoint;
                let public = k.public_key().to_encoded_point(false);
                (
                    "EC PRIVATE KEY",
                    sec1_der(&k.to_bytes(), public.as_bytes(), P256)?,
                )
            }
            PrivateKey::P384(k) => {
                use p384::elliptic_curve::sec1::ToEncodedPoint;
                let public = k.public_key().to_encoded_point(false);
                (
                    "EC PRIVATE KEY",
                    sec1_der(&k.to_bytes(), public.as_bytes(), P384)?,
                )
            }
            PrivateKey::Ed25519(k) => {
                let seed = OctetStringRef::new(k.as_bytes())
                    .and_then(|s| s.to_der())
                    .map_err(|e| e.to_string())?;
                let info = PrivateKeyInfo::new(
                    rsa::pkcs8::AlgorithmIdentifierRef {
                        oid: ED25519,
                        parameters: None,
                    },
                    &seed,
                );
                ("PRIVATE KEY", info.to_der().map_err(|e| e.to_string())?)
            }
            PrivateKey::Dsa(k) => ("DSA PRIVATE KEY", k.to_der()?),
        };
        Ok(pem::encode(label, &der))
    }

    /// The key's public half as a certificate carries it. A DSA key has none Go can write.
    pub(crate) fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, String> {
        let der = match self {
            PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            PrivateKey::P256(k) => k.public_key().to_public_key_der(),
            PrivateKey::P384(k) => k.public_key().to_public_key_der(),
            PrivateKey::Ed25519(k) => {
                return Ok(SubjectPublicKeyInfoOwned {
                    algorithm: AlgorithmIdentifierOwned {
                        oid: ED25519,
                        parameters: None,
                    },
                    subject_public_key: BitString::from_bytes(k.verifying_key().as_bytes())
                        .map_err(|e| e.to_string())?,
                });
            }
            PrivateKey::Dsa(_) => {
                return Err("x509: unsupported public key type: *dsa.PublicKey".into());
            }
        }
        .map_err(|e| e.to_string())?;
        SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|e| e.to_string())
    }

    /// The signature algorithm Go picks for this key: SHA-256 with RSA (PKCS #1 v1.5), ECDSA with
    /// SHA-256 on P-256 and SHA-384 on P-384, or Ed25519. A DSA key cannot sign, as Go's `dsa.PrivateKey` is no `crypto.Signer`.
    pub(crate) fn signature_algorithm(&self) -> Result<AlgorithmIdentifierOwned, String> {
        let (oid, parameters) = match self {
            PrivateKey::Rsa(_) => (SHA256_WITH_RSA, Some(Any::null())),
            PrivateKey::P256(_) => (ECDSA_WITH_SHA256, None),
            PrivateKey::P384(_) => (ECDSA_WITH_SHA384, None),
            PrivateKey::Ed25519(_) => (ED25519, None),
            PrivateKey::Dsa(_) => {
                return Err(
                    "x509: certificate private key does not implement crypto.Signer".into(),
                );
            }
        };
        Ok(AlgorithmIdentifierOwned { oid, parameters })
    }

    /// Signs `message` with [`PrivateKey::signature_algorithm`].
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            PrivateKey::Rsa(k) => pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new((**k).clone())
                .try_sign(message)
                .map(|s| s.to_vec())
                .map_err(|e| e.to_string()),
            PrivateKey::P256(k) => {
                let signer = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature =
                    signer.try_sign(message).map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::P384(k) => {
                let signer = p384::ecdsa::SigningKey::from(k);
                let sig: p384::ecdsa::Signature =
                    signer.try_sign(message).map_err(|e| e.to_string())?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::Ed25519(k) => Ok(k.sign(message).to_bytes().to_vec()),
            PrivateKey::Dsa(_) => {
                Err("x509: certificate private key does not implement crypto.Signer".into())
            }
        }
    }
}

/// Go's `x509.ParsePKCS8PrivateKey` for the kinds canopy signs with.
fn from_pkcs8(der: &[u8]) -> Result<PrivateKey, String> {
    let info = PrivateKeyInfo::try_from(der).map_err(|e| format!("x509: {e}"))?;
    let oid = info.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        RsaPrivateKey::from_pkcs8_der(der)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}"))
    } else if oid == EC_PUBLIC_KEY {
        let curve = info
            .algorithm
            .parameters_oid()
            .map_err(|e| format!("x509: invalid EC parameters: {e}"))?;
        ec_key(curve, info.private_key)
            .map_err(|e| format!("x509: failed to parse EC private key embedded in PKCS#8: {e}"))
    } else if oid == ED25519 {
        if info.algorithm.parameters.is_some() {
            return Err("x509: invalid Ed25519 private key parameters".into());
        }
        let seed = OctetStringRef::from_der(info.private_key)
            .map_err(|e| format!("x509: invalid Ed25519 private key: {e}"))?;
        let seed: [u8; 32] = seed.as_bytes().try_into().map_err(|_| {
            format!(
                "x509: invalid Ed25519 private key: ed25519: bad seed length: {}",
                seed.as_bytes().len()
            )
        })?;
        Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
            &seed,
        )))
    } else {
        Err(format!(
            "x509: PKCS#8 wrapping contained private key with unknown algorithm: {oid}"
        ))
    }
}

/// Go's `x509.ParseECPrivateKey`: SEC 1, on the curve its parameters name.
fn from_sec1(der: &[u8]) -> Result<PrivateKey, String> {
    let key = sec1::EcPrivateKey::from_der(der).map_err(|e| format!("x509: {e}"))?;
    match key.parameters.and_then(|p| p.named_curve()) {
        Some(curve) => ec_key(curve, der),
        None => Err("x509: unknown elliptic curve".into()),
    }
}

/// The SEC 1 key `der` on `curve`, for the curves canopy has.
fn ec_key(curve: ObjectIdentifier, der: &[u8]) -> Result<PrivateKey, String> {
    let err = |e: p256::elliptic_curve::Error| format!("x509: {e}");
    if curve == P256 {
        p256::SecretKey::from_sec1_der(der)
            .map(PrivateKey::P256)
            .map_err(err)
    } else if curve == P384 {
        p384::SecretKey::from_sec1_der(der)
            .map(PrivateKey::P384)
            .map_err(err)
    } else {
        Err(format!(
            "EC curve {curve} is not supported by canopy (only P-256 and P-384 are)"
        ))
    }
}

/// Go's `x509.MarshalECPrivateKey`: SEC 1 with the curve and the public key.
fn sec1_der(private: &[u8], public: &[u8], curve: ObjectIdentifier) -> Result<Vec<u8>, String> {
    sec1::EcPrivateKey {
        private_key: private,
        parameters: Some(sec1::EcParameters::NamedCurve(curve)),
        public_key: Some(public),
    }
    .to_der()
    .map_err(|e| e.to_string())
}

impl DsaKey {
    /// A new key with L = 2048 and N = 256 parameters, as Sprig asks Go for.
    fn generate() -> DsaKey {
        let components = dsa::Components::generate(&mut OsRng, dsa::KeySize::DSA_2048_256);
        let key = dsa::SigningKey::generate(&mut OsRng, components);
        let public = key.verifying_key();
        let c = public.components();
        DsaKey {
            p: c.p().to_bytes_be(),
            q: c.q().to_bytes_be(),
            g: c.g().to_bytes_be(),
            y: public.y().to_bytes_be(),
            x: key.x().to_bytes_be(),
        }
    }

    /// Reads the `DSA PRIVATE KEY` structure.
    fn from_der(der: &[u8]) -> Result<DsaKey, String> {
        let f = DsaKeyFormat::from_der(der).map_err(|e| e.to_string())?;
        Ok(DsaKey {
            p: f.p.as_bytes().to_vec(),
            q: f.q.as_bytes().to_vec(),
            g: f.g.as_bytes().to_vec(),
            y: f.y.as_bytes().to_vec(),
            x: f.x.as_bytes().to_vec(),
        })
    }

    /// Writes the `DSA PRIVATE KEY` structure, with version 0.
    fn to_der(&self) -> Result<Vec<u8>, String> {
        fn uint(b: &[u8]) -> Result<UintRef<'_>, String> {
            UintRef::new(b).map_err(|e| e.to_string())
        }
        DsaKeyFormat {
            version: 0,
            p: uint(&self.p)?,
            q: uint(&self.q)?,
            g: uint(&self.g)?,
            y: uint(&self.y)?,
            x: uint(&self.x)?,
        }
        .to_der()
        .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(pem: &str) -> String {
        pem::decode(pem).unwrap().0
    }

    #[test]
    fn generates_each_kind_in_go_pem_form() {
        let rsa = generate_pem("rsa");
        assert_eq!(label(&rsa), "RSA PRIVATE KEY");
        let PrivateKey::Rsa(k) = PrivateKey::from_pem(&rsa).unwrap() else {
            panic!("not RSA")
        };
        assert_eq!(rsa::traits::PublicKeyParts::size(&*k), 512, "4096 bits");
        assert_eq!(label(&generate_pem("")), "RSA PRIVATE KEY");

        let ec = generate_pem("ecdsa");
        assert_eq!(label(&ec), "EC PRIVATE KEY");
        assert!(matches!(PrivateKey::from_pem(&ec), Ok(PrivateKey::P256(_))));
        // Go's form names the curve and carries the public key.
        let der = pem::decode(&ec).unwrap().1;
        let parsed = sec1::EcPrivateKey::from_der(&der).unwrap();
        assert_eq!(parsed.parameters.and_then(|p| p.named_curve()), Some(P256));
        assert!(parsed.public_key.is_some());

        let ed = generate_pem("ed25519");
        assert_eq!(label(&ed), "PRIVATE KEY");
        assert_eq!(
            pem::decode(&ed).unwrap().1.len(),
            48,
            "PKCS #8 v1, seed only"
        );
        assert!(matches!(
            PrivateKey::from_pem(&ed),
            Ok(PrivateKey::Ed25519(_))
        ));

        assert_eq!(generate_pem("bad"), "Unknown type bad");
    }

    #[test]
    fn dsa_keys_round_trip_but_cannot_sign() {
        let dsa = generate_pem("dsa");
        assert_eq!(label(&dsa), "DSA PRIVATE KEY");
        let key = PrivateKey::from_pem(&dsa).unwrap();
        assert_eq!(key.to_pem().unwrap(), dsa);
        let PrivateKey::Dsa(k) = &key else {
            panic!("not DSA")
        };
        assert_eq!((k.p.len(), k.q.len()), (256, 32));
        assert!(key.sign(b"x").unwrap_err().contains("crypto.Signer"));
        assert!(key.public_key_info().unwrap_err().contains("dsa.PublicKey"));
    }

    #[test]
    fn reads_pkcs8_forms_of_every_kind() {
        use rsa::pkcs8::EncodePrivateKey;
        let PrivateKey::Rsa(k) = PrivateKey::rsa(1024).unwrap() else {
            unreachable!()
        };
        let doc = k.to_pkcs8_der().unwrap();
        let pem = pem::encode("PRIVATE KEY", doc.as_bytes());
        assert!(matches!(PrivateKey::from_pem(&pem), Ok(PrivateKey::Rsa(_))));
        let ec = p256::SecretKey::random(&mut OsRng);
        let doc = ec.to_pkcs8_der().unwrap();
        let pem = pem::encode("PRIVATE KEY", doc.as_bytes());
        assert!(matches!(
            PrivateKey::from_pem(&pem),
            Ok(PrivateKey::P256(_))
        ));
        let ec = p384::SecretKey::random(&mut OsRng);
        let doc = ec.to_pkcs8_der().unwrap();
        let pem = pem::encode("PRIVATE KEY", doc.as_bytes());
        let key = PrivateKey::from_pem(&pem).unwrap();
        assert!(matches!(key, PrivateKey::P384(_)));
        // Written out as Go does, in SEC 1 with the curve, and read back.
        let sec1 = key.to_pem().unwrap();
        assert_eq!(label(&sec1), "EC PRIVATE KEY");
        assert!(matches!(
            PrivateKey::from_pem(&sec1),
            Ok(PrivateKey::P384(_))
        ));
        // A SEC 1 key that names no curve is refused, as Go refuses it.
        let bare = ec.to_sec1_der().unwrap();
        assert_eq!(
            PrivateKey::from_pem(&pem::encode("EC PRIVATE KEY", &bare)).unwrap_err(),
            "parsing EC private key from PEM: x509: unknown elliptic curve"
        );
    }

    #[test]
    fn refuses_what_go_refuses() {
        let err = |text: &str| PrivateKey::from_pem(text).unwrap_err();
        assert_eq!(err("nothing"), "no PEM data in input");
        assert_eq!(
            err(&pem::encode("CERTIFICATE", b"x")),
            "no private key data in PEM block of type CERTIFICATE"
        );
        assert_eq!(
            err(&pem::encode("FOO PRIVATE KEY", b"x")),
            "invalid private key type FOO PRIVATE KEY"
        );
        assert!(err(&pem::encode("RSA PRIVATE KEY", b"x")).starts_with("parsing RSA private key"));
    }
}
