//! Sprig's `encryptAES` and `decryptAES`: AES-256-CBC with the password's bytes, zero-padded or cut to
//! 32, as the key, PKCS#7 padding, and a random IV written before the ciphertext, all in base64.

use aes::Aes256;
use aes::cipher::generic_array::GenericArray;
use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use data_encoding::BASE64;

use crate::template::Funcs;

use super::args::{exact, string};

const BLOCK: usize = 16;

/// Registers `encryptAES` and `decryptAES`.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("encryptAES", |_, a| {
        exact(a, 2)?;
        let (password, plain) = (string(&a[0])?, string(&a[1])?);
        if plain.is_empty() {
            return Ok("".into());
        }
        let mut iv = [0u8; BLOCK];
        getrandom::fill(&mut iv).map_err(|e| e.to_string())?;
        let mut out = iv.to_vec();
        out.extend(cbc_encrypt(&key(password), &iv, plain.as_bytes()));
        Ok(BASE64.encode(&out).into())
    });
    f.insert("decryptAES", |_, a| {
        exact(a, 2)?;
        let (password, text) = (string(&a[0])?, string(&a[1])?);
        if text.is_empty() {
            return Ok("".into());
        }
        let data = BASE64
            .decode(text.as_bytes())
            .map_err(|e| format!("illegal base64 data at input byte {}", e.position))?;
        Ok(cbc_decrypt(&key(password), &data)?.into())
    });
}

/// The password's bytes in a zeroed 32-byte key, as Sprig copies them.
fn key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

/// CBC encryption of `plain` after PKCS#7 padding.
fn cbc_encrypt(key: &[u8; 32], iv: &[u8; BLOCK], plain: &[u8]) -> Vec<u8> {
    let cipher = Aes256::new(GenericArray::from_slice(key));
    let pad = BLOCK - plain.len() % BLOCK;
    let mut data = plain.to_vec();
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let mut prev = *iv;
    for chunk in data.chunks_mut(BLOCK) {
        for (b, p) in chunk.iter_mut().zip(prev) {
            *b ^= p;
        }
        cipher.encrypt_block(GenericArray::from_mut_slice(chunk));
        prev.copy_from_slice(chunk);
    }
    data
}

/// CBC decryption of IV-then-ciphertext, dropping as many bytes as the last byte says (Sprig does not
/// check the padding further).
fn cbc_decrypt(key: &[u8; 32], data: &[u8]) -> Result<String, String> {
    if data.len() < BLOCK || !data.len().is_multiple_of(BLOCK) {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let cipher = Aes256::new(GenericArray::from_slice(key));
    let (iv, body) = data.split_at(BLOCK);
    let mut out = body.to_vec();
    let mut prev: Vec<u8> = iv.to_vec();
    for chunk in out.chunks_mut(BLOCK) {
        let this = chunk.to_vec();
        cipher.decrypt_block(GenericArray::from_mut_slice(chunk));
        for (b, p) in chunk.iter_mut().zip(&prev) {
            *b ^= p;
        }
        prev = this;
    }
    let pad = usize::from(*out.last().unwrap_or(&0));
    let keep = out
        .len()
        .checked_sub(pad)
        .ok_or_else(|| "runtime error: slice bounds out of range".to_string())?;
    Ok(String::from_utf8_lossy(&out[..keep]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_block_matches_the_fips_197_vector() {
        let mut k = [0u8; 32];
        for (i, b) in k.iter_mut().enumerate() {
            *b = i as u8;
        }
        let plain: Vec<u8> = (0..16u8).map(|i| i * 0x11).collect();
        let out = cbc_encrypt(&k, &[0; BLOCK], &plain);
        let hex: String = out[..16].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "8ea2b7ca516745bfeafc49904b496089");
        assert_eq!(out.len(), 32, "a full block of padding follows");
    }

    #[test]
    fn decryption_inverts_encryption() {
        let k = key("secretkey");
        let iv = [7u8; BLOCK];
        let mut data = iv.to_vec();
        data.extend(cbc_encrypt(&k, &iv, b"plaintext"));
        assert_eq!(cbc_decrypt(&k, &data).unwrap(), "plaintext");
        assert!(cbc_decrypt(&k, &data[..20]).is_err());
    }
}
