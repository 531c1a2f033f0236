//! Where a setting is written in TOML text, for errors at `line:col`.

/// 1-based (line, character column) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Where the key at `path` is written in `text` (the deepest key found), as a byte offset.
/// A segment that is a number picks an element of an array (`["api", "resources", "2",
/// "path"]`); the position of an element is that of the key leading to its array.
pub fn locate(text: &str, path: &[String]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut found = None;
    let mut segments = path.iter();
    while let Some(segment) = segments.next() {
        let Some((k, v)) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == segment.as_str())
        else {
            break;
        };
        found = Some(k.span().start);
        let mut value = v.get_ref();
        while let DeValue::Array(items) = value {
            let Some(item) = segments
                .next()
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| items.get(i))
            else {
                return found;
            };
            if item.span().start > 0 {
                found = Some(item.span().start);
            }
            value = item.get_ref();
        }
        match value {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    found
}

/// Where the value of the key at `path` starts in `text` (its opening quote, for a
/// string), as a byte offset; `None` unless the whole path is found.
pub fn locate_value(text: &str, path: &[String]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut segments = path.iter().peekable();
    while let Some(segment) = segments.next() {
        let (_, v) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == segment.as_str())?;
        let mut value = v;
        while let DeValue::Array(items) = value.get_ref() {
            let i = segments.next()?.parse::<usize>().ok()?;
            value = items.get(i)?;
        }
        if segments.peek().is_none() {
            return Some(value.span().start);
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 9), (2, 3));
        assert_eq!(line_col(t, 8), (2, 2), "inside 'é' counts from its start");
        assert_eq!(line_col(t, 999), (3, 1));
    }

    #[test]
    fn locate_finds_keys_in_headers_and_lines() {
        let t = "[integration]\ntype = \"MOCK\"\n\n[integration.integrationResponses.404]\nstatusCode = \"404\"\nselectionPattern = \"4(\"\n";
        let at = |p: &[&str]| locate(t, &path(p)).map(|o| line_col(t, o));
        assert_eq!(
            at(&[
                "integration",
                "integrationResponses",
                "404",
                "selectionPattern"
            ]),
            Some((6, 1))
        );
        assert_eq!(at(&["integration", "type"]), Some((2, 1)));
        assert_eq!(at(&["nothing"]), None);
    }

    #[test]
    fn locate_value_finds_string_values() {
        let t = "[[api.resources]]\npath = \"/a\"\n[api.resources.methods.GET.integration.requestTemplates]\n\"application/json\" = '''\n{}'''\n";
        let at = locate_value(
            t,
            &path(&[
                "api",
                "resources",
                "0",
                "methods",
                "GET",
                "integration",
                "requestTemplates",
                "application/json",
            ]),
        )
        .unwrap();
        assert!(t[at..].starts_with("'''"), "{:?}", &t[at..]);
        assert_eq!(locate_value(t, &path(&["api", "nothing"])), None);
    }

    #[test]
    fn locate_walks_arrays_of_tables() {
        let t = "[api]\nstage = \"dev\"\n\n[[api.resources]]\npath = \"/a\"\n\n[[api.resources]]\npath = \"b\"\n\n[api.resources.methods.GET.integration]\ntype = \"MOCK\"\ntimeoutInMillis = 10\n";
        let at = |p: &[&str]| locate(t, &path(p)).map(|o| line_col(t, o).0);
        assert_eq!(at(&["api", "resources", "1", "path"]), Some(8));
        assert_eq!(at(&["api", "resources", "0", "path"]), Some(5));
        assert_eq!(
            at(&[
                "api",
                "resources",
                "1",
                "methods",
                "GET",
                "integration",
                "timeoutInMillis"
            ]),
            Some(12)
        );
    }
}
