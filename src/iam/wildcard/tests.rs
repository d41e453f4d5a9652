use proptest::prelude::*;

use super::*;
use crate::model::Pseudo;

fn lit(s: &str) -> SymStr {
    SymStr::lit(s)
}

fn region() -> Symbol {
    Symbol::Pseudo(Pseudo::Region)
}

fn account() -> Symbol {
    Symbol::Pseudo(Pseudo::AccountId)
}

fn attr(resource: &str, attr: &str) -> Symbol {
    Symbol::Attr {
        resource: resource.into(),
        attr: attr.into(),
    }
}

fn name(resource: &str) -> Symbol {
    Symbol::PhysicalName {
        resource: resource.into(),
    }
}

fn param(p: &str) -> Symbol {
    Symbol::Param(p.into())
}

/// Builds a symbolic string from literal pieces and symbols.
fn sym_str(parts: &[Result<&str, Symbol>]) -> SymStr {
    let mut s = SymStr::default();
    for part in parts {
        match part {
            Ok(text) => s.push_lit(text),
            Err(sym) => s.push_sym(sym.clone()),
        }
    }
    s
}

fn queue_arn(queue: Symbol) -> SymStr {
    sym_str(&[
        Ok("arn:aws:sqs:"),
        Err(region()),
        Ok(":"),
        Err(account()),
        Ok(":"),
        Err(queue),
    ])
}

#[test]
fn literal_glob_basics() {
    assert!(glob_match("*", "", Case::Sensitive));
    assert!(glob_match("*", "arn:aws:s3:::b/k", Case::Sensitive));
    assert!(glob_match(
        "arn:aws:s3:::b/*",
        "arn:aws:s3:::b/a/b:c",
        Case::Sensitive
    ));
    assert!(!glob_match(
        "arn:aws:s3:::b/*",
        "arn:aws:s3:::c/a",
        Case::Sensitive
    ));
    assert!(glob_match("a?c", "abc", Case::Sensitive));
    assert!(!glob_match("a?c", "ac", Case::Sensitive));
    assert!(!glob_match("a?c", "abbc", Case::Sensitive));
    assert!(glob_match(
        "SQS:Receive*",
        "sqs:receivemessage",
        Case::Insensitive
    ));
    assert!(!glob_match(
        "SQS:Receive*",
        "sqs:receivemessage",
        Case::Sensitive
    ));
    assert!(glob_match(
        "*a*a*a*a*b",
        &"a".repeat(50).add_b(),
        Case::Sensitive
    ));
    assert!(!glob_match(
        "*a*a*a*a*b",
        &"a".repeat(5000),
        Case::Sensitive
    ));
    assert!(glob_match("é?", "éü", Case::Sensitive));
}

trait AddB {
    fn add_b(self) -> String;
}
impl AddB for String {
    fn add_b(mut self) -> String {
        self.push('b');
        self
    }
}

#[test]
fn pathological_patterns_stay_fast() {
    let text = "a".repeat(3000);
    let start = std::time::Instant::now();
    assert!(!glob_match(
        "*a*a*a*a*a*a*a*a*a*a*b",
        &text,
        Case::Sensitive
    ));
    let mut request = SymStr::lit(&text);
    request.push_sym(param("P"));
    request.push_lit(&text);
    // Decided by the product walk, not by the literal ends.
    assert!(matches!(
        matches(&lit("*a*a*a*a*a*a*a*a*a*a*c*"), &request, Case::Sensitive),
        Tri::Unknown(_)
    ));
    let mut one_colon = SymStr::lit(&text);
    one_colon.push_sym(region());
    one_colon.push_lit(":");
    one_colon.push_lit(&text);
    assert_eq!(
        matches(&lit("*a*a*a*:*a*a*:*a*"), &one_colon, Case::Sensitive),
        Tri::No
    );
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
}

#[test]
fn same_symbol_certainly_matches() {
    let q = attr("Queue", "QueueName");
    assert_eq!(
        matches(
            &queue_arn(q.clone()),
            &queue_arn(q.clone()),
            Case::Sensitive
        ),
        Tri::Yes
    );
    let mut star = sym_str(&[Ok("arn:aws:sqs:"), Err(region()), Ok(":"), Err(account())]);
    star.push_lit(":*");
    assert_eq!(matches(&star, &queue_arn(q), Case::Sensitive), Tri::Yes);
}

#[test]
fn different_resources_never_match() {
    assert_eq!(
        matches(
            &queue_arn(attr("QueueA", "QueueName")),
            &queue_arn(attr("QueueB", "QueueName")),
            Case::Sensitive
        ),
        Tri::No
    );
    assert_eq!(
        matches(
            &SymStr::sym(attr("QueueA", "Arn")),
            &SymStr::sym(attr("QueueB", "Arn")),
            Case::Sensitive
        ),
        Tri::No
    );
    assert_eq!(
        matches(
            &SymStr::sym(name("A")),
            &SymStr::sym(attr("B", "Arn")),
            Case::Sensitive
        ),
        Tri::No
    );
}

#[test]
fn different_resources_with_room_around_are_unknown() {
    // `A` could be a prefix of `B`'s value.
    let mut p = SymStr::sym(attr("A", "Arn"));
    p.push_lit("*");
    assert!(matches!(
        matches(&p, &SymStr::sym(attr("B", "Arn")), Case::Sensitive),
        Tri::Unknown(_)
    ));
    // `A` could be `B` followed by `x`.
    let mut r = SymStr::sym(attr("B", "Arn"));
    r.push_lit("x");
    assert!(matches!(
        matches(&SymStr::sym(attr("A", "Arn")), &r, Case::Sensitive),
        Tri::Unknown(_)
    ));
}

#[test]
fn symbols_of_one_resource_may_be_equal() {
    assert!(matches!(
        matches(
            &SymStr::sym(attr("A", "Arn")),
            &SymStr::sym(name("A")),
            Case::Sensitive
        ),
        Tri::Unknown(_)
    ));
}

#[test]
fn parameter_is_unknown_with_its_reason() {
    let request = queue_arn(attr("Queue", "QueueName"));
    match matches(&SymStr::sym(param("QueueArn")), &request, Case::Sensitive) {
        Tri::Unknown(reason) => assert!(reason.contains("parameter `QueueArn` has no default")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn single_segment_symbols_hold_no_colon() {
    // `${AWS::Region}` cannot stand for `us-east-1:123`.
    let p = lit("arn:aws:sqs:us-east-1:123:q");
    let r = sym_str(&[Ok("arn:aws:sqs:"), Err(region()), Ok(":q")]);
    assert_eq!(matches(&p, &r, Case::Sensitive), Tri::No);
    let r = sym_str(&[Ok("arn:aws:sqs:"), Err(param("R")), Ok(":q")]);
    assert!(matches!(matches(&p, &r, Case::Sensitive), Tri::Unknown(_)));
}

#[test]
fn literal_ends_decide_early() {
    let r = queue_arn(attr("Q", "QueueName"));
    assert_eq!(
        matches(&lit("arn:aws:kinesis:*"), &r, Case::Sensitive),
        Tri::No
    );
    let mut r2 = r.clone();
    r2.push_lit("/stream/x");
    assert_eq!(matches(&lit("*/stream/y"), &r2, Case::Sensitive), Tri::No);
}

#[test]
fn literal_request_against_symbolic_pattern() {
    let p = sym_str(&[Ok("arn:aws:sqs:"), Err(region()), Ok(":123:orders")]);
    match matches(
        &p,
        &lit("arn:aws:sqs:us-east-1:123:orders"),
        Case::Sensitive,
    ) {
        Tri::Unknown(reason) => assert!(reason.contains("AWS::Region"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        matches(&p, &lit("arn:aws:sqs:us-east-1:123:other"), Case::Sensitive),
        Tri::No
    );
}

#[test]
fn request_star_is_a_literal_character() {
    assert_eq!(matches(&lit("*"), &lit("*"), Case::Sensitive), Tri::Yes);
    assert_eq!(
        matches(&lit("arn:aws:sqs:*"), &lit("*"), Case::Sensitive),
        Tri::No
    );
}

#[test]
fn equality_treats_wildcards_as_characters() {
    assert_eq!(equals(&lit("a*"), &lit("abc"), Case::Sensitive), Tri::No);
    assert_eq!(equals(&lit("a*"), &lit("a*"), Case::Sensitive), Tri::Yes);
    assert_eq!(
        equals(&lit("TRUE"), &lit("true"), Case::Insensitive),
        Tri::Yes
    );
    let s = SymStr::sym(region());
    assert_eq!(equals(&s, &s, Case::Sensitive), Tri::Yes);
    assert!(matches!(
        equals(&s, &lit("us-east-1"), Case::Sensitive),
        Tri::Unknown(_)
    ));
    assert_eq!(equals(&s, &lit("a:b"), Case::Sensitive), Tri::No);
}

#[test]
fn tri_algebra() {
    let u = || Tri::Unknown("u".into());
    assert_eq!(Tri::Yes.and(u()), u());
    assert_eq!(Tri::No.and(u()), Tri::No);
    assert_eq!(Tri::Yes.or(u()), Tri::Yes);
    assert_eq!(Tri::No.or(u()), u());
    assert_eq!(u().negate(), u());
    assert_eq!(Tri::Yes.negate(), Tri::No);
}

// ---------------------------------------------------------------------------------------------
// Property tests

/// The reference matcher: the pattern translated to an anchored regular expression.
fn reference(pattern: &str, text: &str, case: Case) -> bool {
    let mut re = String::from(if case == Case::Insensitive {
        "(?is)^"
    } else {
        "(?s)^"
    });
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap().is_match(text)
}

fn pattern_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('b'),
            Just('A'),
            Just(':'),
            Just('/'),
            Just('*'),
            Just('?'),
        ],
        0..10,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('b'),
            Just('B'),
            Just(':'),
            Just('/'),
            Just('*')
        ],
        0..12,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Symbols of the generated strings: single-segment, free, and of two distinct resources.
fn pool() -> Vec<Symbol> {
    vec![
        region(),
        param("P"),
        attr("A", "Arn"),
        attr("B", "Arn"),
        name("A"),
        name("C"),
    ]
}

#[derive(Clone, Debug)]
enum Piece {
    Lit(String),
    Sym(usize),
}

fn pieces(literal: BoxedStrategy<String>) -> impl Strategy<Value = Vec<Piece>> {
    proptest::collection::vec(
        prop_oneof![
            3 => literal.prop_map(Piece::Lit),
            2 => (0..6usize).prop_map(Piece::Sym),
        ],
        0..5,
    )
}

fn build(pieces: &[Piece], syms: &[Symbol]) -> SymStr {
    let mut s = SymStr::default();
    for p in pieces {
        match p {
            Piece::Lit(t) => s.push_lit(t),
            Piece::Sym(i) => s.push_sym(syms[*i].clone()),
        }
    }
    s
}

fn substitute(s: &SymStr, syms: &[Symbol], values: &[String]) -> String {
    let mut out = String::new();
    for part in &s.parts {
        match part {
            Part::Lit(t) => out.push_str(t),
            Part::Sym(sym) => {
                let i = syms.iter().position(|x| x == sym).unwrap();
                out.push_str(&values[i]);
            }
        }
    }
    out
}

/// Whether values respect the symbols' guarantees (see [`repair`]).
fn valid(syms: &[Symbol], values: &[String]) -> bool {
    let mut repaired = values.to_vec();
    repair(syms, &mut repaired);
    repaired == values
}

/// A text that the concrete pattern matches: `*` and `?` filled from `fill`.
fn expand(pattern: &str, fill: &[u8]) -> String {
    let alphabet = ['a', 'b', ':', '/'];
    let mut fill = fill.iter().copied().cycle();
    let mut next = || fill.next().unwrap_or(0);
    let mut out = String::new();
    for c in pattern.chars() {
        match c {
            '*' => {
                for _ in 0..(next() % 3) {
                    out.push(alphabet[usize::from(next()) % 4]);
                }
            }
            '?' => out.push(alphabet[usize::from(next()) % 4]),
            c => out.push(c),
        }
    }
    out
}

/// Makes values respect the symbols' guarantees: pseudo parameters hold neither `:` nor
/// wildcards, names and attributes hold no wildcard, and distinct resources have distinct
/// values (a digit, which nothing else uses, tells colliding values apart).
fn repair(syms: &[Symbol], values: &mut [String]) {
    for (i, s) in syms.iter().enumerate() {
        if s.is_single_segment() {
            values[i].retain(|c| !matches!(c, ':' | '*' | '?'));
        }
        if s.distinct_resource().is_some() {
            values[i].retain(|c| !matches!(c, '*' | '?'));
            let collides = syms.iter().enumerate().take(i).any(|(j, t)| {
                matches!((s.distinct_resource(), t.distinct_resource()), (Some(a), Some(b)) if a != b)
                    && values[j] == values[i]
            });
            if collides {
                values[i].push_str(&i.to_string());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn literal_matching_agrees_with_regex(p in pattern_text(), t in text(), insensitive in any::<bool>()) {
        let case = if insensitive { Case::Insensitive } else { Case::Sensitive };
        let expected = reference(&p, &t, case);
        prop_assert_eq!(glob_match(&p, &t, case), expected);
        prop_assert_eq!(matches(&lit(&p), &lit(&t), case), Tri::from_bool(expected));
    }

    /// Builds a request that matches under known values (by expanding the pattern, then
    /// replacing pieces of the text by symbols) and checks that the matcher does not say no.
    #[test]
    fn no_is_never_said_of_a_constructed_match(
        p in pieces(prop_oneof![pattern_text(), "[a:*]{0,2}"].boxed()),
        mut values in proptest::collection::vec("[ab:/]{0,3}", 6),
        fill in proptest::collection::vec(any::<u8>(), 1..16),
        cuts in proptest::collection::vec((0..12usize, 0..4usize, 0..6usize), 0..3),
        insensitive in any::<bool>(),
    ) {
        let syms = pool();
        repair(&syms, &mut values);
        let case = if insensitive { Case::Insensitive } else { Case::Sensitive };
        let pattern = build(&p, &syms);
        let concrete = expand(&substitute(&pattern, &syms, &values), &fill);
        let chars: Vec<char> = concrete.chars().collect();
        let in_pattern: Vec<bool> = syms.iter().map(|s| pattern.symbols().any(|x| x == s)).collect();
        let mut assigned = in_pattern.clone();
        let mut request = SymStr::default();
        let mut at = 0usize;
        let mut cuts = cuts;
        cuts.sort();
        for (start, len, k) in cuts {
            if start < at || start + len > chars.len() {
                continue;
            }
            let piece: String = chars[start..start + len].iter().collect();
            if assigned[k] {
                if values[k] != piece {
                    continue;
                }
            } else {
                values[k] = piece;
                assigned[k] = true;
            }
            request.push_lit(&chars[at..start].iter().collect::<String>());
            request.push_sym(syms[k].clone());
            at = start + len;
        }
        request.push_lit(&chars[at..].iter().collect::<String>());
        prop_assume!(valid(&syms, &values));
        let text = substitute(&request, &syms, &values);
        prop_assert_eq!(&text, &concrete);
        prop_assert!(reference(&substitute(&pattern, &syms, &values), &text, case));
        prop_assert!(
            !matches(&pattern, &request, case).is_no(),
            "said no to {request} for {pattern} with values {values:?}"
        );
    }

    #[test]
    fn star_matches_everything(r in pieces(text().boxed())) {
        let syms = pool();
        prop_assert_eq!(matches(&lit("*"), &build(&r, &syms), Case::Sensitive), Tri::Yes);
    }

    #[test]
    fn a_literal_without_wildcards_matches_only_itself(a in "[ab:/]{0,8}", b in "[ab:/]{0,8}") {
        prop_assert_eq!(matches(&lit(&a), &lit(&b), Case::Sensitive), Tri::from_bool(a == b));
    }

    #[test]
    fn actions_ignore_case_and_resources_do_not(a in "[a-z]{1,8}:[a-z]{1,8}") {
        let upper = a.to_uppercase();
        prop_assert_eq!(matches(&lit(&upper), &lit(&a), Case::Insensitive), Tri::Yes);
        prop_assert_eq!(matches(&lit(&upper), &lit(&a), Case::Sensitive), Tri::No);
    }

    #[test]
    fn a_symbolic_string_matches_itself(r in pieces(text().boxed())) {
        let syms = pool();
        let s = build(&r, &syms);
        prop_assert_eq!(matches(&s, &s, Case::Sensitive), Tri::Yes);
    }

    #[test]
    fn yes_and_no_hold_for_every_substitution(
        p in pieces(prop_oneof![pattern_text(), "[a:*]{0,2}"].boxed()),
        r in pieces(prop_oneof![text(), "[a:]{0,2}"].boxed()),
        mut values in proptest::collection::vec("[ab:/*?]{0,3}", 6),
        copies in proptest::collection::vec(proptest::option::of(0..6usize), 6),
        insensitive in any::<bool>(),
    ) {
        let syms = pool();
        // Equal values are where symbols' identities matter most: make them common.
        for (i, copy) in copies.iter().enumerate() {
            if let Some(j) = copy {
                values[i] = values[*j].clone();
            }
        }
        repair(&syms, &mut values);
        let case = if insensitive { Case::Insensitive } else { Case::Sensitive };
        let pattern = build(&p, &syms);
        let request = build(&r, &syms);
        let concrete = reference(
            &substitute(&pattern, &syms, &values),
            &substitute(&request, &syms, &values),
            case,
        );
        match matches(&pattern, &request, case) {
            Tri::Yes => prop_assert!(concrete, "yes but no concrete match for {values:?}"),
            Tri::No => prop_assert!(!concrete, "no but a concrete match for {values:?}"),
            Tri::Unknown(reason) => prop_assert!(!reason.is_empty()),
        }
    }
}

fn secret_arn() -> SymStr {
    sym_str(&[
        Ok("arn:aws:secretsmanager:"),
        Err(region()),
        Ok(":"),
        Err(account()),
        Ok(":secret:kafka-creds-"),
        Err(attr("Secret", "RandomSuffix")),
    ])
}

#[test]
fn secret_suffix_is_six_characters() {
    let secret = secret_arn();
    let pattern = |tail: &str| {
        sym_str(&[
            Ok("arn:aws:secretsmanager:"),
            Err(region()),
            Ok(":"),
            Err(account()),
            Ok(tail),
        ])
    };
    // `-??????` and `*` cover the random suffix, whatever it is.
    assert_eq!(
        matches(
            &pattern(":secret:kafka-creds-??????"),
            &secret,
            Case::Sensitive
        ),
        Tri::Yes
    );
    assert_eq!(
        matches(&pattern(":secret:kafka-creds*"), &secret, Case::Sensitive),
        Tri::Yes
    );
    assert_eq!(
        matches(
            &pattern(":secret:kafka-creds-???*"),
            &secret,
            Case::Sensitive
        ),
        Tri::Yes
    );
    // The bare name matches nothing: every secret ARN ends in the suffix.
    assert_eq!(
        matches(&pattern(":secret:kafka-creds"), &secret, Case::Sensitive),
        Tri::No
    );
    assert_eq!(
        matches(&pattern(":secret:kafka-creds-"), &secret, Case::Sensitive),
        Tri::No
    );
    // Seven `?` cannot be certain (and the over-approximation does not know the length).
    assert!(
        !matches(
            &pattern(":secret:kafka-creds-???????"),
            &secret,
            Case::Sensitive
        )
        .is_yes()
    );
    // The same secret named through the same symbol matches.
    assert_eq!(matches(&secret, &secret, Case::Sensitive), Tri::Yes);
}

#[test]
fn a_shared_symbol_does_not_stretch() {
    // `table/<name>` never matches `table/<name>/stream/<label>`: the name is the same text on
    // both sides.
    let table = sym_str(&[
        Ok("arn:aws:dynamodb:"),
        Err(region()),
        Ok(":1:table/"),
        Err(name("T")),
    ]);
    let stream = sym_str(&[
        Ok("arn:aws:dynamodb:"),
        Err(region()),
        Ok(":1:table/"),
        Err(name("T")),
        Ok("/stream/"),
        Err(attr("T", "StreamLabel")),
    ]);
    assert_eq!(matches(&table, &stream, Case::Sensitive), Tri::No);
    let mut streams = table.clone();
    streams.push_lit("/stream/*");
    assert_eq!(matches(&streams, &stream, Case::Sensitive), Tri::Yes);
    // A parameter may hold a wildcard: it is not cut.
    let by_param = sym_str(&[
        Ok("arn:aws:dynamodb:"),
        Err(region()),
        Ok(":1:table/"),
        Err(param("P")),
    ]);
    let request = sym_str(&[
        Ok("arn:aws:dynamodb:"),
        Err(region()),
        Ok(":1:table/"),
        Err(param("P")),
        Ok("/stream/x"),
    ]);
    assert!(!matches(&by_param, &request, Case::Sensitive).is_no());
}
