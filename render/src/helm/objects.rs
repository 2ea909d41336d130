//! The host objects Helm gives templates: `.Files`, `.Capabilities` and its parts. `.Release`, `.Chart`
//! and `.Template` are plain maps built in [`super::render`].

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::yaml;
use crate::chart::File;
use crate::template::{Bytes, Object, Value};

/// `.Files`: the chart's files that are not templates, or the subset a `Glob` chose.
#[derive(Debug, Clone)]
pub struct Files {
    files: Arc<Vec<File>>,
}

impl Files {
    /// The files of a chart.
    pub fn new(files: Vec<File>) -> Self {
        Self {
            files: Arc::new(files),
        }
    }

    fn get(&self, path: &str) -> Option<&File> {
        self.files.iter().find(|f| f.name == path)
    }

    fn text(&self, path: &str) -> String {
        self.get(path)
            .map(|f| String::from_utf8_lossy(&f.data).into_owned())
            .unwrap_or_default()
    }

    /// Go's `Get`: the file as a string. A binary file keeps its bytes (see [`Bytes`]).
    fn get_string(&self, path: &str) -> Value {
        let Some(file) = self.get(path) else {
            return Value::String(String::new());
        };
        match std::str::from_utf8(&file.data) {
            Ok(text) => Value::String(text.to_owned()),
            Err(_) => Value::object(Bytes::binary_string(file.data.clone())),
        }
    }

    fn as_map(&self, encode: impl Fn(&[u8]) -> String) -> Value {
        let entries = self.files.iter().map(|f| {
            let base = f.name.rsplit('/').next().unwrap_or(&f.name).to_owned();
            (base, Value::String(encode(&f.data)))
        });
        Value::map(entries)
    }
}

fn one_string(args: &[Value], method: &str) -> Result<String, String> {
    match args {
        [Value::String(s)] => Ok(s.clone()),
        _ => Err(format!("{method} takes one string argument")),
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn has_method(&self, name: &str) -> bool {
        matches!(
            name,
            "Get" | "GetBytes" | "Glob" | "Lines" | "AsConfig" | "AsSecrets"
        )
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        match name {
            "Get" => Ok(self.get_string(&one_string(args, name)?)),
            "GetBytes" => {
                let path = one_string(args, name)?;
                let data = self.get(&path).map(|f| f.data.clone()).unwrap_or_default();
                Ok(Value::object(Bytes::slice(data)))
            }
            "Lines" => {
                let text = self.text(&one_string(args, name)?);
                if text.is_empty() {
                    return Ok(Value::list(Vec::new()));
                }
                Ok(Value::list(
                    text.split('\n')
                        .map(|l| Value::String(l.to_owned()))
                        .collect(),
                ))
            }
            "Glob" => {
                let pattern = one_string(args, name)?;
                let chosen = self
                    .files
                    .iter()
                    .filter(|f| glob(&pattern, &f.name))
                    .cloned()
                    .collect();
                Ok(Value::Object(Arc::new(Files::new(chosen))))
            }
            "AsConfig" => Ok(Value::String(yaml::to_yaml(
                &self.as_map(|d| String::from_utf8_lossy(d).into_owned()),
            ))),
            "AsSecrets" => Ok(Value::String(yaml::to_yaml(
                &self.as_map(|d| STANDARD.encode(d)),
            ))),
            other => Err(format!("can't call method {other}")),
        }
    }

    fn display(&self) -> String {
        let names: Vec<&str> = self.files.iter().map(|f| f.name.as_str()).collect();
        format!("map[{}]", names.join(" "))
    }

    /// Go's `Files` is a map: an empty one (a `Glob` that matched nothing) is false.
    fn truth(&self) -> bool {
        !self.files.is_empty()
    }

    /// `range $path, $content := .Files.Glob "..."` sees each file's path and its content as Go's `[]byte`.
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        let mut entries: Vec<(String, Value)> = self
            .files
            .iter()
            .map(|f| (f.name.clone(), Value::object(Bytes::slice(f.data.clone()))))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Some(entries)
    }
}

/// Helm's `Glob` (gobwas/glob with `/` as separator): `*` stays within a path segment, `**` crosses them.
pub fn glob(pattern: &str, path: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p {
            [] => s.is_empty(),
            ['*', '*', rest @ ..] => (0..=s.len()).any(|i| go(rest, &s[i..])),
            ['*', rest @ ..] => (0..=s.len())
                .take_while(|i| *i == 0 || s[i - 1] != '/')
                .any(|i| go(rest, &s[i..])),
            ['?', rest @ ..] => !s.is_empty() && s[0] != '/' && go(rest, &s[1..]),
            ['{', ..] => {
                let close = p.iter().position(|c| *c == '}');
                match close {
                    Some(end) => {
                        let inner: String = p[1..end].iter().collect();
                        inner.split(',').any(|alt| {
                            let mut q: Vec<char> = alt.chars().collect();
                            q.extend_from_slice(&p[end + 1..]);
                            go(&q, s)
                        })
                    }
                    None => !s.is_empty() && s[0] == '{' && go(&p[1..], &s[1..]),
                }
            }
            [c, rest @ ..] => !s.is_empty() && s[0] == *c && go(rest, &s[1..]),
        }
    }
    let (p, s): (Vec<char>, Vec<char>) = (pattern.chars().collect(), path.chars().collect());
    go(&p, &s)
}

/// `.Capabilities`.
#[derive(Debug, Clone)]
pub struct Capabilities {
    kube: Arc<KubeVersion>,
    apis: Arc<ApiVersions>,
}

impl Capabilities {
    /// Capabilities of a cluster at `kube_version` (e.g. `v1.31.0`) serving `api_versions` beyond the
    /// built-in ones.
    pub fn new(kube_version: &str, api_versions: Vec<String>) -> Self {
        Self {
            kube: Arc::new(KubeVersion::parse(kube_version)),
            apis: Arc::new(ApiVersions::with_defaults(api_versions)),
        }
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "chartutil.Capabilities"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(self.kube.clone())),
            "APIVersions" => Some(Value::Object(self.apis.clone())),
            "HelmVersion" => Some(Value::map([
                ("Version", Value::from("v3.16.0")),
                ("GitCommit", Value::from("")),
                ("GitTreeState", Value::from("")),
                ("GoVersion", Value::from("")),
            ])),
            _ => None,
        }
    }
}

/// `.Capabilities.KubeVersion`: prints as its version, with `Version`, `Major`, `Minor`, `GitVersion`.
#[derive(Debug, Clone)]
pub struct KubeVersion {
    version: String,
    major: String,
    minor: String,
}

impl KubeVersion {
    fn parse(text: &str) -> Self {
        let version = if text.starts_with('v') {
            text.to_owned()
        } else {
            format!("v{text}")
        };
        let mut parts = version.trim_start_matches('v').split(['.', '-', '+']);
        let major = parts.next().unwrap_or("0").to_owned();
        let minor = parts.next().unwrap_or("0").to_owned();
        Self {
            version,
            major,
            minor,
        }
    }
}

impl Object for KubeVersion {
    fn type_name(&self) -> &str {
        "chartutil.KubeVersion"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" | "GitVersion" => Some(Value::String(self.version.clone())),
            "Major" => Some(Value::String(self.major.clone())),
            "Minor" => Some(Value::String(self.minor.clone())),
            _ => None,
        }
    }
    fn has_method(&self, name: &str) -> bool {
        name == "String"
    }
    fn call_method(&self, _: &str, _: &[Value]) -> Result<Value, String> {
        Ok(Value::String(self.version.clone()))
    }
    fn display(&self) -> String {
        self.version.clone()
    }
}

/// `.Capabilities.APIVersions`: `Has "apps/v1"` or `Has "apps/v1/Deployment"`.
#[derive(Debug, Clone)]
pub struct ApiVersions(Vec<String>);

/// The group/versions (and group/version/kind) a current cluster serves, as Helm's default set has them.
const DEFAULT_APIS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

impl ApiVersions {
    fn with_defaults(extra: Vec<String>) -> Self {
        let mut all: Vec<String> = DEFAULT_APIS.iter().map(|s| (*s).to_owned()).collect();
        all.extend(extra);
        Self(all)
    }
}

impl Object for ApiVersions {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn has_method(&self, name: &str) -> bool {
        name == "Has"
    }
    fn call_method(&self, _: &str, args: &[Value]) -> Result<Value, String> {
        let wanted = one_string(args, "Has")?;
        Ok(Value::Bool(self.0.contains(&wanted)))
    }
    fn display(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;

    fn run(text: &str, data: Value) -> String {
        Template::new("t")
            .parse(text)
            .unwrap()
            .execute("t", &data)
            .unwrap()
    }

    fn files() -> Value {
        let f = |name: &str, data: &str| File {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        };
        Value::Object(Arc::new(Files::new(vec![
            f("conf/a.conf", "x=1"),
            f("conf/b.conf", "y=2\nz=3"),
            f("README.md", "hi"),
        ])))
    }

    #[test]
    fn files_get_glob_lines_and_config() {
        let data = Value::map([("Files", files())]);
        assert_eq!(
            run(
                r#"{{ .Files.Get "conf/a.conf" }}|{{ .Files.Get "missing" }}|"#,
                data.clone()
            ),
            "x=1||"
        );
        assert_eq!(
            run(
                r#"{{ range .Files.Lines "conf/b.conf" }}[{{ . }}]{{ end }}"#,
                data.clone()
            ),
            "[y=2][z=3]"
        );
        assert_eq!(
            run(r#"{{ (.Files.Glob "conf/*").AsConfig }}"#, data.clone()),
            "a.conf: x=1\nb.conf: |-\n  y=2\n  z=3"
        );
        assert_eq!(
            run(r#"{{ (.Files.Glob "conf/a.*").AsSecrets }}"#, data),
            "a.conf: eD0x"
        );
    }

    #[test]
    fn glob_results_range_count_and_test_like_go_maps() {
        let data = Value::map([("Files", files())]);
        assert_eq!(
            run(
                r#"{{ range $path, $bytes := .Files.Glob "conf/*" }}{{ $path }}={{ $bytes }};{{ end }}"#,
                data.clone()
            ),
            "conf/a.conf=[120 61 49];conf/b.conf=[121 61 50 10 122 61 51];"
        );
        assert_eq!(
            run(
                r#"{{ len (.Files.Glob "conf/*") }} {{ len (.Files.Glob "none/*") }}"#,
                data.clone()
            ),
            "2 0"
        );
        assert_eq!(
            run(
                r#"{{ if .Files.Glob "none/*" }}yes{{ else }}no{{ end }} {{ if .Files.Glob "*.md" }}yes{{ end }}"#,
                data.clone()
            ),
            "no yes"
        );
        assert_eq!(
            run(
                r#"{{ range $p, $_ := .Files.Glob "none/*" }}{{ $p }}{{ else }}empty{{ end }}"#,
                data
            ),
            "empty"
        );
    }

    #[test]
    fn binary_files_keep_their_bytes_through_get_getbytes_and_the_encoders() {
        let bin: Vec<u8> = vec![0xff, 0x00, 0xfe, b'a', 0x80];
        let files = Value::object(Files::new(vec![
            File {
                name: "k.jks".into(),
                data: bin.clone(),
            },
            File {
                name: "t.txt".into(),
                data: b"hi".to_vec(),
            },
        ]));
        let data = Value::map([("Files", files)]);
        let run = |text: &str| {
            Template::new("t")
                .funcs(&crate::helm::default_funcs())
                .parse(text)
                .unwrap()
                .execute("t", &data)
                .unwrap()
        };
        let b64 = STANDARD.encode(&bin);
        assert_eq!(run(r#"{{ .Files.Get "k.jks" | b64enc }}"#), b64);
        assert_eq!(run(r#"{{ .Files.GetBytes "k.jks" | b64enc }}"#), b64);
        // b64dec of binary data gives the bytes back, so a round trip is exact.
        assert_eq!(run(&format!(r#"{{{{ "{b64}" | b64dec | b64enc }}}}"#)), b64);
        let sha = run(r#"{{ .Files.Get "k.jks" | sha256sum }}"#);
        assert_eq!(
            sha,
            run(&format!(r#"{{{{ "{b64}" | b64dec | sha256sum }}}}"#))
        );
        assert_ne!(sha, run(r#"{{ .Files.Get "t.txt" | sha256sum }}"#));
        // Go prints a []byte as its numbers; toString and len see the bytes.
        assert_eq!(
            run(
                r#"{{ .Files.GetBytes "t.txt" }} {{ .Files.GetBytes "t.txt" | toString }} {{ len (.Files.GetBytes "k.jks") }}"#
            ),
            "[104 105] hi 5"
        );
        assert_eq!(
            run(r#"{{ .Files.Get "t.txt" }}|{{ .Files.GetBytes "none" | len }}"#),
            "hi|0"
        );
        assert_eq!(
            run(r#"{{ .Files.GetBytes "t.txt" | toJson }}"#),
            r#""aGk=""#
        );
    }

    #[test]
    fn globs_keep_star_within_a_segment() {
        assert!(
            glob("conf/*", "conf/a.conf") && !glob("*", "conf/a.conf") && glob("**", "conf/a.conf")
        );
        assert!(
            glob("**/*.json", "dash/x/y.json")
                && glob("conf/{a,b}.conf", "conf/b.conf")
                && glob("conf/?.conf", "conf/a.conf")
        );
    }

    #[test]
    fn capabilities_answer_versions_and_api_checks() {
        let caps = Value::Object(Arc::new(Capabilities::new(
            "v1.31.2",
            vec!["monitoring.coreos.com/v1".into()],
        )));
        let data = Value::map([("Capabilities", caps)]);
        let out = run(
            r#"{{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }} {{ .Capabilities.APIVersions.Has "nope/v1" }}"#,
            data,
        );
        assert_eq!(out, "v1.31.2 1.31 true true false");
    }
}
