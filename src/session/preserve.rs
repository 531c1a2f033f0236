//! Saving a session over the file it came from without rewriting that file's layout.
//!
//! A session file is written by hand: comments, key order, inline tables and the choice of
//! string quotes carry meaning for the person who wrote them. [`merge`] takes the text on disk
//! and the session's fresh serialisation and changes the text only where the values differ:
//! an unchanged value keeps its exact spelling (a `'''` template stays a `'''` template), a
//! changed value keeps the comments around it, a removed key goes with its comments, a new key
//! is added at the end of its table. Empty tables and arrays the serialiser adds for absent
//! optional fields are not added.
//!
//! The result is checked by the caller ([`crate::session::Session::to_toml_over`]): it must load
//! back to the very session being saved, or the plain serialisation is written instead, so a
//! gap here costs layout, never data.

use toml_edit::{ArrayOfTables, DocumentMut, Item, TableLike, Value};

/// `old` (a file's text) changed to hold the values of `new` (a fresh serialisation), keeping
/// everything of `old` that the change does not touch. A key that `new` has and `old` lacks
/// (a default the serialiser writes out, such as `rawQuery = ""`) is added only when `same`
/// does not accept the text without it; `same` says whether a text holds the data being saved.
/// `None` when `old` or `new` is not TOML, or no edit of `old` is accepted.
pub fn merge(old: &str, new: &str, same: impl Fn(&str) -> bool) -> Option<String> {
    let mut doc: DocumentMut = old.parse().ok()?;
    let fresh: DocumentMut = new.parse().ok()?;
    let mut held = Vec::new();
    merge_table(
        doc.as_table_mut(),
        fresh.as_table(),
        &mut Vec::new(),
        &mut held,
    );
    let text = doc.to_string();
    if same(&text) {
        return Some(text);
    }
    // Some held-back key carries data: add them back one by one until the text holds it,
    // then take out again each one it holds without.
    let mut added = Vec::new();
    let mut holds = false;
    for (path, key, item) in held {
        if let Some((table, inline)) = table_at(doc.as_table_mut(), &path) {
            let before: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
            table.insert(&key, item);
            if inline {
                tidy_inline(table, &before);
            }
            added.push((path, key));
        }
        if same(&doc.to_string()) {
            holds = true;
            break;
        }
    }
    if !holds {
        return None;
    }
    for (path, key) in added {
        let Some((table, inline)) = table_at(doc.as_table_mut(), &path) else {
            continue;
        };
        let before: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
        let Some(item) = table.remove(&key) else {
            continue;
        };
        if inline {
            tidy_inline(table, &before);
        }
        let without = doc.to_string();
        if !same(&without)
            && let Some((table, inline)) = table_at(doc.as_table_mut(), &path)
        {
            let before: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
            table.insert(&key, item);
            if inline {
                tidy_inline(table, &before);
            }
        }
    }
    Some(doc.to_string())
}

/// Where a table sits in a document: keys and array positions from the root.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// A key `new` has and `old` lacks, not added: its table, its key and its item.
type Held = (Vec<Step>, String, Item);

/// The table at `path`, and whether it is an inline one.
fn table_at<'a>(
    mut t: &'a mut dyn TableLike,
    path: &[Step],
) -> Option<(&'a mut dyn TableLike, bool)> {
    let mut inline = false;
    let mut i = 0;
    while i < path.len() {
        let Step::Key(k) = &path[i] else { return None };
        let item = t.get_mut(k)?;
        match (item, path.get(i + 1)) {
            (Item::ArrayOfTables(a), Some(Step::Index(n))) => {
                t = a.get_mut(*n)?;
                inline = false;
                i += 2;
            }
            (Item::Value(Value::Array(a)), Some(Step::Index(n))) => {
                t = a.get_mut(*n)?.as_inline_table_mut()?;
                inline = true;
                i += 2;
            }
            (item, _) => {
                inline = matches!(item, Item::Value(Value::InlineTable(_)));
                t = item.as_table_like_mut()?;
                i += 1;
            }
        }
    }
    Some((t, inline))
}

/// Whether a key `old` lacks may be written out for nothing: any key can be a default the
/// serialiser spells out (`rawQuery = ""`, `[backend] type = "echo"`, an empty table), so
/// every one is held back and added only if the data needs it (see [`merge`]).
fn holdable(item: &Item) -> bool {
    !item.is_none()
}

fn merge_table(
    old: &mut dyn TableLike,
    new: &dyn TableLike,
    path: &mut Vec<Step>,
    held: &mut Vec<Held>,
) {
    let gone: Vec<String> = old
        .iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| !new.contains_key(k))
        .collect();
    for k in gone {
        old.remove(&k);
    }
    for (k, item) in new.iter() {
        match old.get_mut(k) {
            Some(mine) => {
                path.push(Step::Key(k.to_string()));
                merge_item(mine, item, path, held);
                path.pop();
            }
            None if holdable(item) => held.push((path.clone(), k.to_string(), item.clone())),
            None => {
                old.insert(k, item.clone());
            }
        }
    }
}

fn merge_item(old: &mut Item, new: &Item, path: &mut Vec<Step>, held: &mut Vec<Held>) {
    if same(old, new) {
        return;
    }
    if let (Item::Value(Value::InlineTable(o)), Some(n)) = (&mut *old, new.as_table_like()) {
        let before: Vec<String> = o.iter().map(|(k, _)| k.to_string()).collect();
        merge_table(o, n, path, held);
        tidy_inline(o, &before);
        return;
    }
    if let (Some(o), Some(n)) = (old.as_table_like_mut(), new.as_table_like()) {
        merge_table(o, n, path, held);
        return;
    }
    match (&mut *old, new) {
        (Item::ArrayOfTables(o), Item::ArrayOfTables(n)) => merge_tables_array(o, n, path, held),
        (Item::Value(o), Item::Value(n)) => merge_value(o, n, path, held),
        (Item::Value(Value::Array(o)), Item::ArrayOfTables(n)) => {
            // `key = [{..}, {..}]` in the file: keep it inline.
            let n = n.clone().into_array();
            merge_array(o, &n, path, held);
        }
        _ => *old = new.clone(),
    }
}

/// An inline table whose keys changed is spaced like `{ a = 1, b = 2 }`: the closing space
/// that followed the old last value moves to the new last one, added values get one space
/// before them.
fn tidy_inline(t: &mut dyn TableLike, before: &[String]) {
    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    if keys == before {
        return;
    }
    let closing = before.iter().rev().chain(keys.iter().rev()).find_map(|k| {
        t.get(k)
            .and_then(Item::as_value)
            .and_then(|v| v.decor().suffix().cloned())
            .filter(|s| s.as_str().is_some_and(|s| !s.is_empty()))
    });
    for k in &keys {
        let last = Some(k) == keys.last();
        let Some(v) = t.get_mut(k).and_then(Item::as_value_mut) else {
            continue;
        };
        if !before.contains(k) {
            v.decor_mut().set_prefix(" ");
        }
        match (last, &closing) {
            (true, Some(s)) => v.decor_mut().set_suffix(s.clone()),
            (true, None) => v.decor_mut().set_suffix(" "),
            (false, _) => v.decor_mut().set_suffix(""),
        }
    }
}

fn merge_tables_array(
    old: &mut ArrayOfTables,
    new: &ArrayOfTables,
    path: &mut Vec<Step>,
    held: &mut Vec<Held>,
) {
    while old.len() > new.len() {
        old.remove(old.len() - 1);
    }
    for (i, n) in new.iter().enumerate() {
        match old.get_mut(i) {
            Some(o) => {
                path.push(Step::Index(i));
                merge_table(o, n, path, held);
                path.pop();
            }
            None => old.push(n.clone()),
        }
    }
}

fn merge_value(old: &mut Value, new: &Value, path: &mut Vec<Step>, held: &mut Vec<Held>) {
    match (&mut *old, new) {
        (Value::InlineTable(o), Value::InlineTable(n)) => {
            let before: Vec<String> = o.iter().map(|(k, _)| k.to_string()).collect();
            merge_table(o, n, path, held);
            tidy_inline(o, &before);
        }
        (Value::Array(o), Value::Array(n)) => merge_array(o, n, path, held),
        _ => {
            let decor = old.decor().clone();
            *old = new.clone();
            *old.decor_mut() = decor;
        }
    }
}

fn merge_array(
    old: &mut toml_edit::Array,
    new: &toml_edit::Array,
    path: &mut Vec<Step>,
    held: &mut Vec<Held>,
) {
    if old.len() != new.len() {
        // Elements came or went: which ones is a guess; take the new list, keep the
        // array's own surroundings.
        let decor = old.decor().clone();
        let trailing = old.trailing().clone();
        let comma = old.trailing_comma();
        *old = new.clone();
        *old.decor_mut() = decor;
        old.set_trailing(trailing);
        old.set_trailing_comma(comma);
        return;
    }
    for (i, (o, n)) in old.iter_mut().zip(new.iter()).enumerate() {
        if !same_value(o, n) {
            path.push(Step::Index(i));
            merge_value(o, n, path, held);
            path.pop();
        }
    }
}

/// Equal as data, whatever the spelling.
fn same(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (Item::None, Item::None) => true,
        (Item::Value(a), Item::Value(b)) => same_value(a, b),
        (Item::ArrayOfTables(a), Item::ArrayOfTables(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_table(x, y))
        }
        (Item::Value(Value::Array(a)), Item::ArrayOfTables(b))
        | (Item::ArrayOfTables(b), Item::Value(Value::Array(a))) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b.iter())
                    .all(|(x, y)| x.as_inline_table().is_some_and(|x| same_table(x, y)))
        }
        _ => match (a.as_table_like(), b.as_table_like()) {
            (Some(x), Some(y)) => same_table(x, y),
            _ => false,
        },
    }
}

fn same_table(a: &dyn TableLike, b: &dyn TableLike) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b.iter())
            .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Integer(x), Value::Integer(y)) => x.value() == y.value(),
        (Value::Float(x), Value::Float(y)) => x.value().to_bits() == y.value().to_bits(),
        (Value::Boolean(x), Value::Boolean(y)) => x.value() == y.value(),
        (Value::Datetime(x), Value::Datetime(y)) => x.value() == y.value(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same_value(p, q))
        }
        (Value::InlineTable(x), Value::InlineTable(y)) => same_table(x, y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unchanged_document_is_left_byte_for_byte() {
        let old = "# a comment\na = 1 # why\nt = { x = 'y' }\n\n[s]\nk = '''\nraw\n'''\n";
        let new = "a = 1\n\n[t]\nx = \"y\"\n\n[s]\nk = \"\"\"\nraw\n\"\"\"\n";
        assert_eq!(merge(old, new, |_| true).as_deref(), Some(old));
    }

    #[test]
    fn a_changed_value_keeps_its_comments_and_its_neighbours() {
        let old = "# head\na = 1 # why\nb = 'keep'\n";
        let new = "a = 2\nb = \"keep\"\n";
        assert_eq!(
            merge(old, new, |_| true).as_deref(),
            Some("# head\na = 2 # why\nb = 'keep'\n")
        );
    }

    #[test]
    fn inline_tables_stay_inline_and_take_new_keys() {
        let old = "p = { a = true }\n";
        let new = "[p]\na = true\nb = false\n";
        assert_eq!(
            merge(old, new, |t| t.contains("b = false")).as_deref(),
            Some("p = { a = true, b = false }\n")
        );
    }

    #[test]
    fn removed_keys_go_and_empty_tables_are_not_added() {
        let old = "a = 1\nb = 2\n";
        let new = "a = 1\n\n[empty]\n";
        assert_eq!(merge(old, new, |_| true).as_deref(), Some("a = 1\n"));
    }

    #[test]
    fn a_new_key_is_added_only_when_the_data_needs_it() {
        let old = "a = 1\n\n[t]\nx = 1\n";
        let new = "a = 1\nd = 0\n\n[t]\nx = 1\ny = 5\n";
        // `d = 0` is a default (the text reads the same without it); `y = 5` is data.
        let needs_y = |text: &str| text.contains("y = 5");
        assert_eq!(
            merge(old, new, needs_y).as_deref(),
            Some("a = 1\n\n[t]\nx = 1\ny = 5\n")
        );
        assert_eq!(merge(old, new, |_| false), None);
    }

    #[test]
    fn arrays_of_tables_merge_by_position() {
        let old = "[[r]]\nn = 'a' # first\n\n[[r]]\nn = 'b'\n";
        let new = "[[r]]\nn = \"a\"\n\n[[r]]\nn = \"c\"\n\n[[r]]\nn = \"d\"\n";
        assert_eq!(
            merge(old, new, |_| true).as_deref(),
            Some("[[r]]\nn = 'a' # first\n\n[[r]]\nn = \"c\"\n\n[[r]]\nn = \"d\"\n")
        );
        let fewer = "[[r]]\nn = \"a\"\n";
        assert_eq!(
            merge(old, fewer, |_| true).as_deref(),
            Some("[[r]]\nn = 'a' # first\n")
        );
    }

    #[test]
    fn text_that_is_not_toml_gives_none() {
        assert_eq!(merge("a = [", "a = 1\n", |_| true), None);
    }
}
