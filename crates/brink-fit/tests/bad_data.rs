//! Bad records are rejected with the line number and the reason, never a panic.

use brink_fit::parse_csv;

/// Asserts the text is rejected at `line` with a message containing `words`.
fn rejected(text: &str, line: usize, words: &str) {
    let e = parse_csv(text).expect_err("must be rejected");
    assert_eq!(e.line, line, "{e}");
    let msg = e.to_string();
    assert!(msg.contains(words), "`{msg}` lacks `{words}`");
    assert!(msg.contains("Fix:"), "`{msg}` says no fix");
}

#[test]
fn empty_file() {
    rejected("", 0, "empty");
    rejected("\n# only a comment\n\n", 0, "empty");
}

#[test]
fn header_without_rows() {
    rejected("time,a,b\n", 1, "no data rows");
}

#[test]
fn only_the_start_row() {
    rejected("time,a,b\n0,100,100\n", 2, "only one data row");
}

#[test]
fn missing_days() {
    rejected(
        "time,a,b\n0,100,100\n1,90,95\n2,80,90\n4,70,85\n",
        5,
        "missing",
    );
    let e = parse_csv("time,a,b\n0,100,100\n1,90,95\n2,80,90\n4,70,85\n").unwrap_err();
    assert!(
        e.fix.contains("3"),
        "the fix names the missing time: {}",
        e.fix
    );
}

#[test]
fn empty_time_cell() {
    rejected("time,a,b\n0,100,100\n,90,95\n", 3, "time cell is empty");
}

#[test]
fn negative_strengths() {
    rejected("time,a,b\n0,100,100\n1,90,-5\n", 3, "negative");
    let e = parse_csv("time,a,b\n0,100,100\n1,90,-5\n").unwrap_err();
    assert_eq!(e.column.as_deref(), Some("b"));
}

#[test]
fn non_monotone_time() {
    rejected("time,a,b\n0,100,100\n1,90,95\n1,85,93\n", 4, "not after");
    rejected("time,a,b\n0,100,100\n2,90,95\n1,85,93\n", 4, "not after");
}

#[test]
fn text_in_numeric_columns() {
    rejected(
        "time,a,b\n0,100,100\n1,ninety,95\n",
        3,
        "`ninety` is not a number",
    );
    rejected("time,a,b\n0,100,100\n1,\"1,000\",95\n", 3, "fields");
    rejected(
        "time,a,b,reinf_a,reinf_b\n0,100,100,0,0\n1,90,95,lots,0\n",
        3,
        "not a number",
    );
    rejected("time,a,b\n0,100,100\nday1,90,95\n", 3, "not a number");
    rejected("time,a,b\n0,100,100\n1,NaN,95\n", 3, "not a finite number");
}

#[test]
fn ragged_rows() {
    rejected("time,a,b\n0,100,100\n1,90\n", 3, "2 fields");
}

#[test]
fn header_problems() {
    rejected("0,100,100\n1,90,95\n", 1, "not a header");
    rejected(
        "time,a,strength_b\n0,100,100\n",
        1,
        "unknown column `strength_b`",
    );
    rejected("time,a\n0,100\n1,90\n", 1, "no `b` column");
    rejected("time,a,b,a\n0,1,2,3\n", 1, "twice");
}

#[test]
fn the_start_needs_both_strengths() {
    rejected("time,a,b\n0,100,\n1,90,95\n", 2, "first row");
}

#[test]
fn reinforcements_and_casualties_must_make_sense() {
    rejected(
        "time,a,b,reinf_a,reinf_b\n0,100,100,5,0\n1,90,95,0,0\n",
        2,
        "no step before",
    );
    rejected(
        "time,a,b,reinf_a,reinf_b\n0,100,100,0,0\n1,90,95,-5,0\n",
        3,
        "negative",
    );
    rejected(
        "time,a,b,casualties_a\n0,100,100,\n1,90,95,-3\n",
        3,
        "negative",
    );
}

#[test]
fn nothing_observed_after_the_start() {
    rejected(
        "time,a,b\n0,100,100\n1,,\n2,,\n",
        2,
        "no strength or casualty",
    );
}

#[test]
fn comments_blank_lines_and_crlf_keep_line_numbers() {
    let text = "# note\r\ntime,a,b\r\n\r\n0,100,100\r\n1,oops,95\r\n";
    let e = parse_csv(text).unwrap_err();
    assert_eq!(e.line, 5, "{e}");
}

#[test]
fn a_good_file_with_gaps_in_observation_is_accepted() {
    let (d, w) = parse_csv("time,a,b,reinf_a,reinf_b\n0,100,100,,\n1,,95,,\n2,80,,10,\n").unwrap();
    assert_eq!(d.steps(), 2);
    assert_eq!(d.strength[0], vec![Some(100.0), None, Some(80.0)]);
    assert_eq!(d.reinforcements[0], vec![0.0, 0.0, 10.0]);
    assert!(w.is_empty());
}
