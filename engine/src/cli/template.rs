//! emcoctl's values templating (`-v`): the resource file is a Go `text/template`, rendered with the values
//! before it is read as YAML, as emcoctl does. The engine is canopy-render's full Go `text/template`, with
//! Go's built-in functions and one difference from emcoctl: a key the values lack is an error (Go's
//! `missingkey=error`) naming the key, the line and the column, rather than the text `<no value>`.

use canopy_render::template::{MissingKey, Options, Template, Value};

/// The file could not be rendered; the message is Go's, with the file name, line and column.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The values are not something a template can use.
    #[error("the values cannot be used: {0}")]
    Values(String),
    /// The file is not a valid template, or executing it failed.
    #[error(transparent)]
    Template(#[from] canopy_render::template::Error),
}

/// Renders `text` (named `name` in errors) with `values`.
pub fn render(name: &str, text: &str, values: &yaml_serde::Value) -> Result<String, Error> {
    // Through serde, so integers stay integers (emcoctl's YAML decoding keeps them too).
    let json: serde_json::Value =
        serde_json::to_value(values).map_err(|e| Error::Values(e.to_string()))?;
    let template = Template::new(name)
        .options(Options {
            missing_key: MissingKey::Error,
        })
        .parse(text)?;
    Ok(template.execute(name, &Value::from(json))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(yaml: &str) -> yaml_serde::Value {
        yaml_serde::from_str(yaml).unwrap()
    }

    const VALUES: &str = "Project: demo\nPort: 30431\nClusters:\n  - {Name: c1, Labels: [a, b]}\n  - {Name: c2, Labels: []}\n";

    #[test]
    fn fields_ranges_and_conditions_render_as_in_go() {
        let text = "p: {{ .Project }}:{{ .Port }}\n{{- range $i, $c := .Clusters }}\n- {{ $i }} {{ $c.Name }} {{ if $c.Labels }}{{ join $c.Labels }}{{ else }}none{{ end }}\n{{- end }}";
        let text = text.replace("join $c.Labels", "len $c.Labels");
        assert_eq!(
            render("f.yaml", &text, &values(VALUES)).unwrap(),
            "p: demo:30431\n- 0 c1 2\n- 1 c2 none"
        );
    }

    #[test]
    fn a_missing_key_names_itself_and_its_place() {
        let err = render("f.yaml", "a: 1\nb: {{ .Region }}", &values(VALUES))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("f.yaml:2:6") && err.contains("map has no entry for key \"Region\""),
            "{err}"
        );
    }

    #[test]
    fn bad_syntax_names_the_line() {
        let err = render("f.yaml", "a\n{{ if }}", &values(VALUES))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("template: f.yaml:2:"), "{err}");
    }
}
