//! Loading a scenario: bytes -> text -> overrides -> typed [`Scenario`] -> validated
//! [`Resolved`] scenario, collecting every problem as a [`Diagnostic`] with file, line, column,
//! field path, what was expected and a hint. Nothing here panics on user input.

use crate::param::ParamSpec;
use crate::scenario::{Role, Route, Scenario};
use crate::time::Date;
use sha2::{Digest, Sha256};
use std::fmt;
use std::ops::Range;

/// Scenario files larger than this are refused before parsing.
pub const MAX_SCENARIO_BYTES: usize = 4 * 1024 * 1024;

/// One problem in a scenario, located as precisely as the source allows.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line and column; 0 when the problem has no place in the file.
    pub line: usize,
    pub column: usize,
    /// Dotted field path, e.g. `mobilization.RU.call_up` (empty for whole-file problems).
    pub path: String,
    pub message: String,
    pub expected: Option<String>,
    pub hint: Option<String>,
    /// The source line the problem is on, for display.
    pub source_line: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if self.line > 0 {
            write!(f, "\n  --> {}:{}:{}", self.file, self.line, self.column)?;
        } else {
            write!(f, "\n  --> {}", self.file)?;
        }
        if !self.path.is_empty() {
            write!(f, "\n  field: {}", self.path)?;
        }
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string();
            write!(f, "\n{} |\n{} | {}", " ".repeat(gutter.len()), gutter, src)?;
            write!(
                f,
                "\n{} | {}^",
                " ".repeat(gutter.len()),
                " ".repeat(self.column.saturating_sub(1))
            )?;
        }
        if let Some(e) = &self.expected {
            write!(f, "\n  expected: {e}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

/// All problems found in one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        let n = self.diagnostics.len();
        write!(
            f,
            "\n\n{n} problem{} found; the scenario was not run.",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for LoadError {}

/// A validated scenario ready to run: parameters have slots, ids are checked.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub scenario: Scenario,
    /// Where it came from (a path, or `<embedded default>`).
    pub source_name: String,
    /// The resolved text (after `--set` overrides).
    pub text: String,
    /// SHA-256 of the canonical JSON form of the resolved scenario.
    pub hash: String,
    /// Every parameter path in sampling order, with whether it is random.
    pub params: Vec<(String, bool)>,
    /// Every parameter in slot order.
    pub specs: Vec<crate::param::Param>,
    /// Every parameter's draw, prepared, in slot order (for sampling).
    pub samplers: Vec<crate::param::Sampler>,
    /// The ladder compiled for the hot loop (`None` without a decision layer).
    pub compiled: Option<crate::decision::config::CompiledLadder>,
    /// The two belligerents, in id order.
    pub sides: [String; 2],
    pub start_date: Date,
}

impl Resolved {
    pub fn param_count(&self) -> usize {
        self.params.len()
    }

    /// Index (0 or 1) of a belligerent in `sides`.
    pub fn side_index(&self, id: &str) -> Option<usize> {
        self.sides.iter().position(|s| s == id)
    }

    /// The paths of the random parameters (those with a distribution), in sampling order: the
    /// sampled columns of `runs.csv`, and what sensitivity analysis varies by default.
    pub fn random_params(&self) -> impl Iterator<Item = &str> {
        self.params
            .iter()
            .filter(|(_, random)| *random)
            .map(|(path, _)| path.as_str())
    }
}

/// A `--set PATH=VALUE` override.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub path: String,
    pub value: String,
}

impl std::str::FromStr for Override {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (path, value) = s.split_once('=').ok_or_else(|| {
            format!("`{s}` is not PATH=VALUE; write e.g. mobilization.RU.call_up=1000000")
        })?;
        if path.trim().is_empty() || value.trim().is_empty() {
            return Err(format!("`{s}` has an empty path or value"));
        }
        Ok(Override {
            path: path.trim().to_string(),
            value: value.trim().to_string(),
        })
    }
}

fn whole_file(file: &str, message: String, hint: &str) -> LoadError {
    LoadError {
        diagnostics: vec![Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            path: String::new(),
            message,
            expected: None,
            hint: Some(hint.to_string()),
            source_line: None,
        }],
    }
}

/// Checks raw bytes: size, binary content, encoding, emptiness.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, LoadError> {
    if bytes.len() > MAX_SCENARIO_BYTES {
        return Err(whole_file(
            file,
            format!(
                "the file is {} bytes; scenario files are limited to {} bytes",
                bytes.len(),
                MAX_SCENARIO_BYTES
            ),
            "is this the right file? A scenario is a TOML text of a few kilobytes",
        ));
    }
    if bytes.contains(&0) {
        return Err(whole_file(
            file,
            "the file contains NUL bytes: it looks like a binary file, not TOML text".into(),
            "pass a TOML scenario; `brink scenario show > my.toml` writes one to start from",
        ));
    }
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| {
        whole_file(
            file,
            format!(
                "the file is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            "save the file as UTF-8",
        )
    })?;
    if text.trim().is_empty() {
        return Err(whole_file(
            file,
            "the file is empty".into(),
            "start from the default: `brink scenario show > my.toml`",
        ));
    }
    Ok(text)
}

/// Applies `--set` overrides to the TOML text, keeping its formatting (and so its line numbers).
pub fn apply_overrides(
    file: &str,
    text: &str,
    overrides: &[Override],
) -> Result<String, LoadError> {
    if overrides.is_empty() {
        return Ok(text.to_string());
    }
    let mut doc: toml_edit::DocumentMut = match text.parse() {
        Ok(d) => d,
        Err(e) => return Err(syntax_error(file, text, &e)),
    };
    let mut diags = Vec::new();
    for o in overrides {
        let parts: Vec<&str> = o.path.split('.').collect();
        // A value that is not valid TOML (e.g. `policy=queue`) is taken as a string.
        let value: toml_edit::Value = o
            .value
            .parse()
            .unwrap_or_else(|_| toml_edit::Value::from(o.value.as_str()));
        if !set_nested_value(doc.as_item_mut(), &parts, value) {
            diags.push(Diagnostic {
                file: "--set".into(),
                line: 0,
                column: 0,
                path: o.path.clone(),
                message: format!(
                    "cannot set `{}`: its parent table does not exist in {file}",
                    o.path
                ),
                expected: None,
                hint: Some(
                    "use a path shown by `brink scenario show`, e.g. mobilization.RU.call_up"
                        .into(),
                ),
                source_line: None,
            });
        }
    }
    if diags.is_empty() {
        Ok(doc.to_string())
    } else {
        Err(LoadError { diagnostics: diags })
    }
}

/// Sets `path` (relative to `item`) to `value` through tables, inline tables and arrays.
fn set_nested_value(item: &mut toml_edit::Item, path: &[&str], value: toml_edit::Value) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return match item {
            toml_edit::Item::Table(t) => {
                let decor = t
                    .get(first)
                    .and_then(|i| i.as_value())
                    .map(|v| v.decor().clone());
                let mut value = value;
                if let Some(d) = decor {
                    *value.decor_mut() = d;
                }
                t.insert(first, toml_edit::Item::Value(value));
                true
            }
            toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
                t.insert(*first, value);
                true
            }
            _ => false,
        };
    }
    match item {
        toml_edit::Item::Table(t) => match t.get_mut(first) {
            Some(next) => set_nested_value(next, rest, value),
            None => false,
        },
        toml_edit::Item::ArrayOfTables(a) => {
            match first.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(t) => {
                    let mut wrapped = toml_edit::Item::Table(t.clone());
                    let done = set_nested_value(&mut wrapped, rest, value);
                    if let toml_edit::Item::Table(new) = wrapped {
                        *t = new;
                    }
                    done
                }
                None => false,
            }
        }
        toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => match t.get_mut(first) {
            Some(v) => {
                let mut wrapped = toml_edit::Item::Value(v.clone());
                let done = set_nested_value(&mut wrapped, rest, value);
                if let toml_edit::Item::Value(new) = wrapped {
                    *v = new;
                }
                done
            }
            None => false,
        },
        _ => false,
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let line_text = text[line_start..].lines().next().unwrap_or("").to_string();
    (line, column, line_text)
}

fn at(
    file: &str,
    text: &str,
    span: Option<Range<usize>>,
    path: &str,
    message: String,
) -> Diagnostic {
    let (line, column, source_line) = match span {
        Some(s) => {
            let (l, c, t) = line_col(text, s.start);
            (l, c, Some(t))
        }
        None => (0, 0, None),
    };
    Diagnostic {
        file: file.to_string(),
        line,
        column,
        path: path.to_string(),
        message,
        expected: None,
        hint: None,
        source_line,
    }
}

fn syntax_error(file: &str, text: &str, e: &toml_edit::TomlError) -> LoadError {
    let msg = e.message().trim().to_string();
    let mut d = at(
        file,
        text,
        e.span(),
        "",
        format!("TOML syntax error: {msg}"),
    );
    d.hint = Some("check quotes, brackets and `key = value` syntax on this line".into());
    LoadError {
        diagnostics: vec![d],
    }
}

/// Finds the span of a dotted path in the parsed document: the key's span when `key` is true,
/// else the value's. Falls back to the deepest ancestor found.
fn span_of(root: &toml_edit::Item, path: &[String], key: bool) -> Option<Range<usize>> {
    let mut item = root;
    let mut best = None;
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let (k_span, next): (Option<Range<usize>>, Option<&toml_edit::Item>) = match item {
            toml_edit::Item::Table(t) => match t.get_key_value(seg) {
                Some((k, v)) => (k.span(), Some(v)),
                None => (None, None),
            },
            toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
                match t.get_key_value(seg) {
                    Some((k, v)) => {
                        // Inline values are not Items; report the key (or value) span directly.
                        let s = if key && last {
                            k.span()
                        } else {
                            v.span().or(k.span())
                        };
                        return s.or(best);
                    }
                    None => (None, None),
                }
            }
            toml_edit::Item::ArrayOfTables(a) => {
                match seg.parse::<usize>().ok().and_then(|i| a.get(i)) {
                    Some(t) => {
                        best = t.span().or(best);
                        // Step into the table: re-wrap lookups on the next segment.
                        return span_in_table(t, &path[i + 1..], key).or(best);
                    }
                    None => (None, None),
                }
            }
            toml_edit::Item::Value(toml_edit::Value::Array(arr)) => {
                match seg.parse::<usize>().ok().and_then(|i| arr.get(i)) {
                    Some(v) => return v.span().or(best),
                    None => (None, None),
                }
            }
            _ => (None, None),
        };
        match next {
            Some(n) => {
                if last && key {
                    return k_span.or(n.span()).or(best);
                }
                best = n.span().or(k_span).or(best);
                item = n;
            }
            None => return best,
        }
    }
    best
}

/// The dotted path of the table whose header (or inline braces) starts at `offset`, else of
/// the last table starting before it: where serde reports a missing field.
fn table_path_at(root: &toml_edit::Item, offset: usize) -> Vec<String> {
    fn walk(
        item: &toml_edit::Item,
        path: &mut Vec<String>,
        offset: usize,
        best: &mut (usize, Vec<String>),
    ) {
        let mut consider = |span: Option<Range<usize>>, path: &Vec<String>| {
            if let Some(s) = span
                && s.start <= offset
                && (best.1.is_empty() || s.start >= best.0)
            {
                *best = (s.start, path.clone());
            }
        };
        match item {
            toml_edit::Item::Table(t) => {
                consider(t.span(), path);
                for (k, v) in t.iter() {
                    path.push(k.to_string());
                    walk(v, path, offset, best);
                    path.pop();
                }
            }
            toml_edit::Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    path.push(i.to_string());
                    walk(&toml_edit::Item::Table(t.clone()), path, offset, best);
                    path.pop();
                }
            }
            toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) => {
                consider(t.span(), path);
                for (k, v) in t.iter() {
                    path.push(k.to_string());
                    walk(&toml_edit::Item::Value(v.clone()), path, offset, best);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut best = (0, Vec::new());
    walk(root, &mut Vec::new(), offset, &mut best);
    best.1
}

fn span_in_table(t: &toml_edit::Table, rest: &[String], key: bool) -> Option<Range<usize>> {
    if rest.is_empty() {
        return t.span();
    }
    let wrapped = toml_edit::Item::Table(t.clone());
    span_of(&wrapped, rest, key)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate within a small edit distance, for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn ignored_path(p: &serde_ignored::Path) -> Vec<String> {
    use serde_ignored::Path as P;
    match p {
        P::Root => vec![],
        P::Seq { parent, index } => {
            let mut v = ignored_path(parent);
            v.push(index.to_string());
            v
        }
        P::Map { parent, key } => {
            let mut v = ignored_path(parent);
            v.push(key.clone());
            v
        }
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            ignored_path(parent)
        }
    }
}

/// Parses, checks and resolves a scenario text. Every problem found is reported at once.
pub fn load(file: &str, text: &str) -> Result<Resolved, LoadError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| syntax_error(file, text, &e))?;
    let root = doc.as_item();

    let mut unknown = Vec::new();
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let mut d = at(
            file,
            text,
            e.span(),
            "",
            format!("TOML syntax error: {}", e.message().trim()),
        );
        d.hint = Some("check quotes, brackets and `key = value` syntax on this line".into());
        LoadError {
            diagnostics: vec![d],
        }
    })?;
    let parsed: Result<Scenario, _> =
        serde_ignored::deserialize(de, |p| unknown.push(ignored_path(&p)));
    let mut scenario = match parsed {
        Ok(s) => s,
        Err(e) => {
            let mut d = at(file, text, e.span(), "", e.message().trim().to_string());
            let mut diagnostics = Vec::new();
            if let Some(field) = d.message.strip_prefix("missing field `") {
                let field = field.trim_end_matches('`').to_string();
                let table = e
                    .span()
                    .map(|s| table_path_at(root, s.start))
                    .unwrap_or_default();
                d.path = table
                    .iter()
                    .cloned()
                    .chain(std::iter::once(field.clone()))
                    .collect::<Vec<_>>()
                    .join(".");
                d.hint = Some(format!(
                    "add `{field} = ...` to this table (see `brink scenario show` for an example)"
                ));
                // A misspelt required key shows up twice: as an unknown key in this table and
                // as the missing field. Point at the misspelling, which is the thing to fix.
                for path in &unknown {
                    let Some((name, parent)) = path.split_last() else {
                        continue;
                    };
                    if parent != table.as_slice() || closest(name, [field.as_str()]).is_none() {
                        continue;
                    }
                    let mut typo = at(
                        file,
                        text,
                        span_of(root, path, true),
                        &path.join("."),
                        format!("unknown field `{name}`"),
                    );
                    typo.hint = Some(format!("did you mean `{field}`? It is required here"));
                    diagnostics.push(typo);
                }
            } else if d.message.contains("unknown variant") {
                d.hint = Some("use one of the values listed above".into());
            }
            diagnostics.push(d);
            diagnostics.sort_by_key(|d| (d.line, d.column));
            return Err(LoadError { diagnostics });
        }
    };

    let mut diags = Vec::new();
    let known = serde_json::to_value(&scenario).unwrap_or(serde_json::Value::Null);
    for path in &unknown {
        let (name, parent) = path
            .split_last()
            .map(|(n, p)| (n.clone(), p.to_vec()))
            .unwrap_or_default();
        let mut node = &known;
        for seg in &parent {
            node = match node {
                serde_json::Value::Object(m) => m.get(seg).unwrap_or(&serde_json::Value::Null),
                serde_json::Value::Array(a) => seg
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| a.get(i))
                    .unwrap_or(&serde_json::Value::Null),
                _ => &serde_json::Value::Null,
            };
        }
        let keys: Vec<&str> = match node {
            serde_json::Value::Object(m) => m.keys().map(String::as_str).collect(),
            _ => vec![],
        };
        let mut d = at(
            file,
            text,
            span_of(root, path, true),
            &path.join("."),
            format!("unknown field `{name}`"),
        );
        if !keys.is_empty() {
            d.expected = Some(format!("one of: {}", keys.join(", ")));
        }
        d.hint = Some(match closest(&name, keys.iter().copied()) {
            Some(c) => format!("did you mean `{c}`?"),
            None => "remove it, or check the spelling against `brink schema`".into(),
        });
        diags.push(d);
    }

    let mut semantic: Vec<(Vec<String>, String, Option<String>)> = Vec::new();
    let mut problem =
        |path: Vec<String>, msg: String, hint: Option<String>| semantic.push((path, msg, hint));
    let sp = |s: &str| -> Vec<String> { s.split('.').map(str::to_string).collect() };

    // Dates and horizon.
    let start_date = match Date::parse(&scenario.scenario.start_date) {
        Some(d) => Some(d),
        None => {
            problem(
                sp("scenario.start_date"),
                format!("`{}` is not a date", scenario.scenario.start_date),
                Some("write an ISO 8601 date such as \"2022-09-21\"".into()),
            );
            None
        }
    };
    if scenario.scenario.weeks == 0 || scenario.scenario.weeks > 1040 {
        problem(
            sp("scenario.weeks"),
            format!(
                "horizon of {} weeks is outside 1..=1040",
                scenario.scenario.weeks
            ),
            Some("use a horizon between 1 week and 20 years".into()),
        );
    }
    if scenario.scenario.runs == 0 || scenario.scenario.runs > crate::study::MAX_RUNS {
        problem(
            sp("scenario.runs"),
            format!(
                "{} runs is outside 1..={}",
                scenario.scenario.runs,
                crate::study::MAX_RUNS
            ),
            Some("histogram bins count runs in 32 bits; split a larger study into several".into()),
        );
    }
    if scenario.combat.substeps_per_week == 0 || scenario.combat.substeps_per_week > 1000 {
        problem(
            sp("combat.substeps_per_week"),
            format!(
                "{} substeps is outside 1..=1000",
                scenario.combat.substeps_per_week
            ),
            None,
        );
    }

    // Actor ids everywhere must name actors; belligerents must match forces.
    let actor_ids: Vec<String> = scenario.actors.keys().cloned().collect();
    let unknown_actor = |section: &str, id: &str| {
        let hint = match closest(id, actor_ids.iter().map(String::as_str)) {
            Some(c) => format!("did you mean `{c}`? Actors are declared under [actors]"),
            None => format!(
                "declare it under [actors.{id}] or use one of: {}",
                actor_ids.join(", ")
            ),
        };
        (
            vec![section.to_string(), id.to_string()],
            format!("unknown actor id `{id}`"),
            Some(hint),
        )
    };
    for id in scenario.forces.keys() {
        match scenario.actors.get(id) {
            None => {
                let (p, m, h) = unknown_actor("forces", id);
                problem(p, m, h)
            }
            Some(a) if a.role != Role::Belligerent => problem(
                sp(&format!("forces.{id}")),
                format!("actor `{id}` has forces but its role is not `belligerent`"),
                Some(format!("set actors.{id}.role = \"belligerent\"")),
            ),
            _ => {}
        }
    }
    for (id, a) in &scenario.actors {
        if a.role == Role::Belligerent && !scenario.forces.contains_key(id) {
            problem(
                sp(&format!("actors.{id}")),
                format!("belligerent `{id}` has no [forces.{id}] section"),
                Some("add its forces, or make it a patron or bystander".into()),
            );
        }
    }
    if scenario.forces.len() != 2 {
        problem(
            sp("forces"),
            format!(
                "combat needs exactly two belligerents; found {}",
                scenario.forces.len()
            ),
            Some("declare exactly two [forces.ID] sections".into()),
        );
    }
    for (section, ids) in [
        (
            "mobilization",
            scenario.mobilization.keys().cloned().collect::<Vec<_>>(),
        ),
        (
            "recruitment",
            scenario.recruitment.keys().cloned().collect(),
        ),
        ("evasion", scenario.evasion.keys().cloned().collect()),
        (
            "combat.attrition_per_week",
            scenario.combat.attrition_per_week.keys().cloned().collect(),
        ),
    ] {
        for id in ids {
            if !scenario.actors.contains_key(&id) {
                let (mut p, m, h) = unknown_actor(section, &id);
                p = sp(section)
                    .into_iter()
                    .chain(p.into_iter().skip(1))
                    .collect();
                problem(p, m, h);
            } else if !scenario.forces.contains_key(&id) {
                problem(
                    sp(&format!("{section}.{id}")),
                    format!("`{id}` is not a belligerent with forces"),
                    Some("only the two belligerents mobilize, recruit and fight".into()),
                );
            }
        }
    }
    for id in scenario.forces.keys() {
        if !scenario.combat.attrition_per_week.contains_key(id) {
            problem(
                sp("combat.attrition_per_week"),
                format!("no attrition coefficient for `{id}`"),
                Some(format!(
                    "add `{id} = ...` under [combat.attrition_per_week]"
                )),
            );
        }
    }
    for id in scenario.evasion.keys() {
        if !scenario.mobilization.contains_key(id) {
            problem(
                sp(&format!("evasion.{id}")),
                format!("evasion for `{id}` needs a [mobilization.{id}] section"),
                Some(
                    "emigration is driven by summonses; add a mobilization or remove this section"
                        .into(),
                ),
            );
        }
    }
    for (id, r) in &scenario.recruitment {
        let mut seen = std::collections::BTreeSet::new();
        for (i, s) in r.sources.iter().enumerate() {
            if !seen.insert(s.id.clone()) {
                problem(
                    sp(&format!("recruitment.{id}.sources.{i}.id")),
                    format!("duplicate source id `{}`", s.id),
                    Some("give every source its own id".into()),
                );
            }
            if s.route == Route::Training && !scenario.mobilization.contains_key(id) {
                problem(
                    sp(&format!("recruitment.{id}.sources.{i}.route")),
                    format!("route `training` needs a [mobilization.{id}] pipeline"),
                    Some("use route = \"front\" or add a mobilization".into()),
                );
            }
        }
    }
    for (id, f) in &scenario.forces {
        let hi = |p: &crate::param::Param| match &p.spec {
            ParamSpec::Fixed(v) => *v,
            ParamSpec::Dist(d) => d.support().1,
        };
        if hi(&f.killed_share) + hi(&f.captured_share) > 1.0 + 1e-12 {
            problem(
                sp(&format!("forces.{id}.captured_share")),
                "killed_share + captured_share can exceed 1".into(),
                Some(
                    "the two shares (at their maxima) must sum to at most 1; the rest are wounded"
                        .into(),
                ),
            );
        }
    }

    // The decision layer: actors, rung ids, predicates, strike specifications, cycles.
    validate_decisions(&scenario, &mut problem);

    // Every parameter against its domain.
    let mut params = Vec::new();
    let mut specs = Vec::new();
    let mut slot = 0usize;
    let mut param_problems = Vec::new();
    scenario.visit_params(&mut crate::scenario::ParamVisitor::new(
        &mut |path, p, domain| {
            for (msg, hint) in p.problems(domain) {
                param_problems.push((sp(path), msg, Some(hint)));
            }
            p.set_slot(slot);
            slot += 1;
            params.push((path.to_string(), p.is_random()));
            specs.push(p.clone());
        },
    ));
    for (p, m, h) in param_problems {
        problem(p, m, h);
    }

    for (path, msg, hint) in semantic {
        let mut d = at(
            file,
            text,
            span_of(root, &path, false),
            &path.join("."),
            msg,
        );
        d.hint = hint;
        diags.push(d);
    }
    if !diags.is_empty() {
        diags.sort_by_key(|d| (d.line, d.column));
        return Err(LoadError { diagnostics: diags });
    }

    let compiled = scenario.politics.as_ref().map(|p| {
        let actors: Vec<String> = scenario.actors.keys().cloned().collect();
        crate::decision::config::compile(&scenario.ladder, p, &actors)
    });
    let sides_vec = scenario.belligerents();
    let sides = [sides_vec[0].clone(), sides_vec[1].clone()];
    let canonical = serde_json::to_string(&scenario).unwrap_or_default();
    let hash = Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok(Resolved {
        scenario,
        source_name: file.to_string(),
        text: text.to_string(),
        hash,
        params,
        samplers: specs.iter().map(crate::param::Sampler::of).collect(),
        specs,
        compiled,
        sides,
        start_date: start_date.expect("checked above"),
    })
}

fn validate_decisions(s: &Scenario, problem: &mut impl FnMut(Vec<String>, String, Option<String>)) {
    use crate::decision::config::{BurstKind, PREDICATES, StrikeTarget};
    let sp = |x: &str| -> Vec<String> { x.split('.').map(str::to_string).collect() };
    let actors: Vec<&str> = s.actors.keys().map(String::as_str).collect();
    match &s.politics {
        None if !s.ladder.is_empty() => problem(
            sp("ladder"),
            "a ladder needs a [politics] section (who leads, who decides)".into(),
            Some("add [politics] (see `brink scenario show`) or remove the ladder".into()),
        ),
        None => {}
        Some(p) => {
            for (field, id, need_forces) in [
                ("politics.leader", &p.leader, true),
                ("politics.opponent", &p.opponent, true),
                ("politics.patron", &p.patron, false),
            ] {
                if !s.actors.contains_key(id) {
                    let hint = closest(id, actors.iter().copied()).map_or_else(
                        || format!("use one of: {}", actors.join(", ")),
                        |c| format!("did you mean `{c}`?"),
                    );
                    problem(sp(field), format!("unknown actor id `{id}`"), Some(hint));
                } else if need_forces && !s.forces.contains_key(id) {
                    problem(
                        sp(field),
                        format!("`{id}` is not a belligerent with forces"),
                        None,
                    );
                }
            }
            if p.leader == p.opponent {
                problem(
                    sp("politics.opponent"),
                    "the opponent must differ from the leader".into(),
                    None,
                );
            }
        }
    }
    let ids: Vec<&str> = s.ladder.iter().map(|r| r.id.as_str()).collect();
    for (i, r) in s.ladder.iter().enumerate() {
        let base = format!("ladder.{i}");
        if r.id.is_empty()
            || !r
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            problem(
                sp(&format!("{base}.id")),
                format!("rung id `{}` must be lowercase letters, digits and _", r.id),
                None,
            );
        }
        if ids.iter().filter(|x| **x == r.id).count() > 1 {
            problem(
                sp(&format!("{base}.id")),
                format!("duplicate rung id `{}`", r.id),
                Some("give every rung its own id".into()),
            );
        }
        if !s.actors.contains_key(&r.actor) {
            let hint = closest(&r.actor, actors.iter().copied()).map_or_else(
                || format!("use one of: {}", actors.join(", ")),
                |c| format!("did you mean `{c}`?"),
            );
            problem(
                sp(&format!("{base}.actor")),
                format!("unknown actor id `{}`", r.actor),
                Some(hint),
            );
        }
        if r.kahn_rung > 44 {
            problem(
                sp(&format!("{base}.kahn_rung")),
                format!("Kahn's ladder has 44 rungs; got {}", r.kahn_rung),
                None,
            );
        }
        for (j, q) in r.requires.iter().enumerate() {
            for atom in q.split('|') {
                let atom = atom.trim();
                let atom = atom.strip_prefix("not:").unwrap_or(atom);
                let bad = if let Some(id) = atom.strip_prefix("done:") {
                    (!ids.contains(&id)).then(|| {
                        (
                            format!("`done:{id}` names no rung"),
                            closest(id, ids.iter().copied())
                                .map(|c| format!("did you mean `done:{c}`?")),
                        )
                    })
                } else {
                    (!PREDICATES.contains(&atom)).then(|| {
                        (
                            format!("unknown predicate `{atom}`"),
                            Some(match closest(atom, PREDICATES) {
                                Some(c) => format!("did you mean `{c}`?"),
                                None => format!(
                                    "use `done:<rung id>` or one of: {}",
                                    PREDICATES.join(", ")
                                ),
                            }),
                        )
                    })
                };
                if let Some((msg, hint)) = bad {
                    problem(sp(&format!("{base}.requires.{j}")), msg, hint);
                }
            }
        }
        if let Some(st) = &r.effects.strike {
            let sb = format!("{base}.effects.strike");
            if st.burst == BurstKind::Air && st.height_m.is_none() {
                problem(
                    sp(&format!("{sb}.burst")),
                    "an `air` burst needs `height_m`".into(),
                    Some("add height_m, or use burst = \"optimum\"".into()),
                );
            }
            match st.target {
                StrikeTarget::City => match &st.city {
                    None => problem(
                        sp(&format!("{sb}.target")),
                        "target `city` needs `city = \"...\"`".into(),
                        None,
                    ),
                    Some(c) => {
                        if let Err(e) = brink_effects::cities::find_city(c) {
                            problem(
                                sp(&format!("{sb}.city")),
                                e.to_string(),
                                Some("see the bundled city table: `brink effects --help`".into()),
                            );
                        }
                    }
                },
                StrikeTarget::Troops if st.troops.is_none() || st.area_km2.is_none() => problem(
                    sp(&format!("{sb}.target")),
                    "target `troops` needs `troops` and `area_km2`".into(),
                    None,
                ),
                _ => {}
            }
        }
    }
    // Rungs that require each other (positively) can never be taken: report the cycle.
    let deps: Vec<Vec<usize>> = s
        .ladder
        .iter()
        .map(|r| {
            r.requires
                .iter()
                .filter(|q| !q.contains('|'))
                .filter_map(|q| q.trim().strip_prefix("done:"))
                .filter_map(|id| ids.iter().position(|x| *x == id))
                .collect()
        })
        .collect();
    let mut state = vec![0u8; deps.len()]; // 0 new, 1 on stack, 2 done
    let mut reported = false;
    fn visit(
        n: usize,
        deps: &[Vec<usize>],
        state: &mut [u8],
        stack: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        state[n] = 1;
        stack.push(n);
        for &m in &deps[n] {
            if state[m] == 1 {
                let at = stack.iter().position(|&x| x == m).unwrap_or(0);
                let mut cycle = stack[at..].to_vec();
                cycle.push(m);
                return Some(cycle);
            }
            if state[m] == 0
                && let Some(c) = visit(m, deps, state, stack)
            {
                return Some(c);
            }
        }
        stack.pop();
        state[n] = 2;
        None
    }
    for n in 0..deps.len() {
        if state[n] == 0 && !reported {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(n, &deps, &mut state, &mut stack) {
                let names: Vec<&str> = cycle.iter().map(|&i| ids[i]).collect();
                problem(
                    sp(&format!("ladder.{}.requires", cycle[0])),
                    format!(
                        "rungs require each other in a cycle: {}",
                        names.join(" -> ")
                    ),
                    Some("none of them can ever be taken; remove one `done:` requirement".into()),
                );
                reported = true;
            }
        }
    }
}

/// The embedded default scenario (September 2022), as shipped.
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../scenarios/september_2022.toml");
pub const DEFAULT_SCENARIO_NAME: &str = "<embedded default: september_2022.toml>";

/// Loads the embedded default scenario with overrides.
pub fn load_default(overrides: &[Override]) -> Result<Resolved, LoadError> {
    let text = apply_overrides(DEFAULT_SCENARIO_NAME, DEFAULT_SCENARIO_TOML, overrides)?;
    load(DEFAULT_SCENARIO_NAME, &text)
}

/// Loads a scenario from bytes read from `file`, with overrides.
pub fn load_bytes(file: &str, bytes: &[u8], overrides: &[Override]) -> Result<Resolved, LoadError> {
    let text = decode(file, bytes)?;
    let text = apply_overrides(file, &text, overrides)?;
    load(file, &text)
}
