//! IAM wildcard matching over symbolic strings, three-valued.
//!
//! Input: a pattern (an `Action` or `Resource` entry of a policy, as a [`SymStr`]) and a request
//! value (an action name or a resource ARN, also a [`SymStr`]). Output: [`Tri::Yes`] when the
//! pattern matches for every value of the symbols, [`Tri::No`] when it matches for none,
//! [`Tri::Unknown`] with the reason otherwise.
//!
//! Rules (IAM-ELEM): `*` matches any sequence of characters, `:` and `/` included; `?` matches
//! one character. Actions compare case-insensitively, resources case-sensitively.
//!
//! Invariants: no backtracking; every match is a walk over pattern × request positions, so
//! `*a*a*a*b` against a long ARN stays linear in the product of the lengths.
//!
//! How symbols are treated:
//! * "certainly matches": a symbol is an opaque token equal only to the identical symbol
//!   (equal symbols stand for equal text, and any text matches itself as a pattern); `*` eats
//!   any run of tokens, `?` one literal character. A match here is a match for every value.
//! * "possibly matches": every symbol may stand for any text (without `:` when
//!   [`Symbol::is_single_segment`]: partition, region and account, which also never hold a
//!   wildcard), except that a pattern symbol never covers exactly the text
//!   of a request symbol of a different resource ([`Symbol::distinct_resource`]): generated
//!   names and attributes of distinct resources differ, and they contain no wildcard, so such
//!   an exact overlap would make the two values equal. No possible match means no match for
//!   any value.

use crate::model::{Part, SymStr, Symbol};

/// A three-valued answer with the reason when it is unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unknown(String),
}

impl Tri {
    pub fn is_yes(&self) -> bool {
        matches!(self, Tri::Yes)
    }

    pub fn is_no(&self) -> bool {
        matches!(self, Tri::No)
    }

    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    /// Logical negation; the reason of an unknown is kept.
    pub fn negate(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            u @ Tri::Unknown(_) => u,
        }
    }

    /// Conjunction: no if any is no, yes if all are yes, otherwise unknown with the first
    /// reason.
    pub fn and(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::No, _) | (_, Tri::No) => Tri::No,
            (Tri::Yes, x) | (x, Tri::Yes) => x,
            (u @ Tri::Unknown(_), Tri::Unknown(_)) => u,
        }
    }

    /// Disjunction: yes if any is yes, no if all are no, otherwise unknown with the first reason.
    pub fn or(self, other: Tri) -> Tri {
        match (self, other) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::No, x) | (x, Tri::No) => x,
            (u @ Tri::Unknown(_), Tri::Unknown(_)) => u,
        }
    }
}

/// Whether letters compare with or without case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Resources (IAM-ELEM).
    Sensitive,
    /// Action names and service prefixes (IAM-ELEM).
    Insensitive,
}

impl Case {
    fn eq_char(self, a: char, b: char) -> bool {
        match self {
            Case::Sensitive => a == b,
            Case::Insensitive => a == b || a.to_lowercase().eq(b.to_lowercase()),
        }
    }

    fn eq_byte(self, a: u8, b: u8) -> bool {
        match self {
            Case::Sensitive => a == b,
            Case::Insensitive => a.eq_ignore_ascii_case(&b),
        }
    }
}

/// Matches a literal pattern with `*` and `?` against literal text.
pub fn glob_match(pattern: &str, text: &str, case: Case) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        glob(pattern.as_bytes(), text.as_bytes(), b'*', b'?', |a, b| {
            case.eq_byte(a, b)
        })
    } else {
        let p: Vec<char> = pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        glob(&p, &t, '*', '?', |a, b| case.eq_char(a, b))
    }
}

/// The classic iterative glob: on a mismatch, only the most recent `*` is retried one
/// position further. Any earlier `*` can never need retrying (a later `*` can absorb whatever
/// an earlier one would have), so the walk is O(|p|·|t|) at worst and never exponential.
fn glob<T: Copy + PartialEq>(
    p: &[T],
    t: &[T],
    star: T,
    quest: T,
    eq: impl Fn(T, T) -> bool,
) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut retry: Option<(usize, usize)> = None;
    while let Some(&tc) = t.get(ti) {
        match p.get(pi) {
            Some(&pc) if pc == star => {
                retry = Some((pi, ti));
                pi += 1;
            }
            Some(&pc) if pc == quest || eq(pc, tc) => {
                pi += 1;
                ti += 1;
            }
            _ => match retry {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    retry = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == star))
}

/// Matches an IAM pattern against a request value, both possibly symbolic.
pub fn matches(pattern: &SymStr, request: &SymStr, case: Case) -> Tri {
    match_with(pattern, request, case, true)
}

/// Whether two values are equal as text (condition operators such as `StringEquals`): like
/// [`matches`] but `*` and `?` in the first value are ordinary characters.
pub fn equals(a: &SymStr, b: &SymStr, case: Case) -> Tri {
    match_with(a, b, case, false)
}

fn match_with(pattern: &SymStr, request: &SymStr, case: Case, wildcards: bool) -> Tri {
    if let (Some(p), Some(r)) = (pattern.as_literal(), request.as_literal()) {
        let yes = if wildcards {
            glob_match(p, r, case)
        } else {
            match case {
                Case::Sensitive => p == r,
                Case::Insensitive => {
                    p.eq_ignore_ascii_case(r) || p.to_lowercase() == r.to_lowercase()
                }
            }
        };
        return Tri::from_bool(yes);
    }
    if wildcards && pattern.as_literal() == Some("*") {
        return Tri::Yes;
    }
    if pattern.parts == request.parts {
        return Tri::Yes;
    }
    if fixed_ends_differ(pattern, request, case, wildcards) {
        return Tri::No;
    }
    let p_all = pattern_tokens(pattern, wildcards);
    let r_all = request_tokens(request);
    let (p, r) = strip_forced(&p_all, &r_all, case);
    if !ends_compatible(p, r, case) {
        return Tri::No;
    }
    if certainly(p, r, case) {
        return Tri::Yes;
    }
    if !possibly(p, r, case) {
        return Tri::No;
    }
    Tri::Unknown(reason(pattern, request))
}

/// Whether the fixed text at either end rules out every match: the pattern's characters
/// before its first wildcard or symbol against the request's characters before its first
/// symbol, and the same from the end. This is what [`ends_compatible`] finds after the token
/// lists are built, tested on the parts first because most patterns a request meets differ
/// there (another service, another resource name), and building the lists for each of them
/// costs more than the rest of the match.
fn fixed_ends_differ(pattern: &SymStr, request: &SymStr, case: Case, wildcards: bool) -> bool {
    let fixed = |c: &char| !(wildcards && matches!(c, '*' | '?'));
    fn text(p: &Part) -> Option<&str> {
        match p {
            Part::Lit(text) => Some(text),
            Part::Sym(_) => None,
        }
    }
    let differ = |a: char, b: char| !case.eq_char(a, b);
    let p_front = pattern
        .parts
        .iter()
        .map_while(text)
        .flat_map(str::chars)
        .take_while(fixed);
    let r_front = request.parts.iter().map_while(text).flat_map(str::chars);
    if p_front.zip(r_front).any(|(a, b)| differ(a, b)) {
        return true;
    }
    let p_back = pattern
        .parts
        .iter()
        .rev()
        .map_while(text)
        .flat_map(|t| t.chars().rev())
        .take_while(fixed);
    let r_back = request
        .parts
        .iter()
        .rev()
        .map_while(text)
        .flat_map(|t| t.chars().rev());
    p_back.zip(r_back).any(|(a, b)| differ(a, b))
}

#[derive(Clone, Copy, Debug)]
enum PTok<'a> {
    Char(char),
    Star,
    Quest,
    Sym(&'a Symbol),
}

#[derive(Clone, Copy, Debug)]
enum RTok<'a> {
    Char(char),
    Sym(&'a Symbol),
    /// Character `index` of a symbol of fixed length ([`Symbol::fixed_len`]): one unknown
    /// letter or digit.
    SymChar(&'a Symbol, usize),
}

fn pattern_tokens(s: &SymStr, wildcards: bool) -> Vec<PTok<'_>> {
    let mut out = Vec::new();
    for part in &s.parts {
        match part {
            Part::Lit(text) => out.extend(text.chars().map(|c| match c {
                '*' if wildcards => PTok::Star,
                '?' if wildcards => PTok::Quest,
                c => PTok::Char(c),
            })),
            Part::Sym(sym) => out.push(PTok::Sym(sym)),
        }
    }
    out
}

fn request_tokens(s: &SymStr) -> Vec<RTok<'_>> {
    let mut out = Vec::new();
    for part in &s.parts {
        match part {
            Part::Lit(text) => out.extend(text.chars().map(RTok::Char)),
            Part::Sym(sym) => match sym.fixed_len() {
                Some(n) => out.extend((0..n).map(|i| RTok::SymChar(sym, i))),
                None => out.push(RTok::Sym(sym)),
            },
        }
    }
    out
}

/// Whether a pattern token and a request token are the same text for every value of the
/// symbols, with no wildcard in it: equal characters, or the same symbol of a kind that never
/// holds `*` or `?` (pseudo parameters, generated names, attributes).
fn same_token(p: &PTok<'_>, r: &RTok<'_>, case: Case) -> bool {
    match (p, r) {
        (PTok::Char(a), RTok::Char(b)) => case.eq_char(*a, *b),
        (PTok::Sym(a), RTok::Sym(b)) => {
            a == b && (matches!(a, Symbol::Pseudo(_)) || a.distinct_resource().is_some())
        }
        _ => false,
    }
}

/// Cuts the longest common prefix and suffix of identical tokens. Matching them is forced:
/// with no wildcard before it, each literal character meets its equal, and a symbol meets the
/// same symbol, whose value is the same text, so it covers exactly that text. Without this, a
/// symbol that appears on both sides (the table's generated name in `table/<name>` against
/// `table/<name>/stream/<label>`) would be free to stretch and make a clear mismatch unknown.
fn strip_forced<'p, 'r, 'a, 'b>(
    p: &'p [PTok<'a>],
    r: &'r [RTok<'b>],
    case: Case,
) -> (&'p [PTok<'a>], &'r [RTok<'b>]) {
    let front = p
        .iter()
        .zip(r.iter())
        .take_while(|(a, b)| same_token(a, b, case))
        .count();
    let (p, r) = (p.get(front..).unwrap_or(&[]), r.get(front..).unwrap_or(&[]));
    let back = p
        .iter()
        .rev()
        .zip(r.iter().rev())
        .take_while(|(a, b)| same_token(a, b, case))
        .count();
    (
        p.get(..p.len() - back).unwrap_or(&[]),
        r.get(..r.len() - back).unwrap_or(&[]),
    )
}

/// Compares the fixed literal text at both ends: the pattern's characters before its first
/// wildcard or symbol against the request's characters before its first symbol, and the same
/// from the end. A difference there rules out every match.
fn ends_compatible(p: &[PTok<'_>], r: &[RTok<'_>], case: Case) -> bool {
    let fixed = |pt: &PTok<'_>, rt: &RTok<'_>| match (pt, rt) {
        (PTok::Char(a), RTok::Char(b)) => Some(case.eq_char(*a, *b)),
        _ => None,
    };
    for (pt, rt) in p.iter().zip(r.iter()) {
        match fixed(pt, rt) {
            Some(true) => {}
            Some(false) => return false,
            None => break,
        }
    }
    for (pt, rt) in p.iter().rev().zip(r.iter().rev()) {
        match fixed(pt, rt) {
            Some(true) => {}
            Some(false) => return false,
            None => break,
        }
    }
    // A pattern of literal characters only must have the request's length when the request
    // is literal too (handled by the caller); with symbols nothing more is certain here.
    true
}

/// A request token for [`certainly`]: a symbol of fixed length is a run of opaque
/// characters, so that `?` and `*` can consume it one character at a time.
#[derive(Clone, Copy, Debug, PartialEq)]
enum CTok<'a> {
    Char(char),
    Sym(&'a Symbol),
    /// Character `index` of a fixed-length symbol.
    SymChar(&'a Symbol, usize),
}

/// A pattern token for [`certainly`].
#[derive(Clone, Copy, Debug)]
enum CPat<'a> {
    Star,
    Quest,
    Tok(CTok<'a>),
}

fn certain_request_tokens<'a>(r: &[RTok<'a>]) -> Vec<CTok<'a>> {
    r.iter()
        .map(|t| match *t {
            RTok::Char(c) => CTok::Char(c),
            RTok::Sym(s) => CTok::Sym(s),
            RTok::SymChar(s, i) => CTok::SymChar(s, i),
        })
        .collect()
}

fn certain_pattern_tokens<'a>(p: &[PTok<'a>]) -> Vec<CPat<'a>> {
    let mut out = Vec::with_capacity(p.len());
    for t in p {
        match *t {
            PTok::Star => out.push(CPat::Star),
            PTok::Quest => out.push(CPat::Quest),
            PTok::Char(c) => out.push(CPat::Tok(CTok::Char(c))),
            PTok::Sym(s) => match s.fixed_len() {
                Some(n) => out.extend((0..n).map(|i| CPat::Tok(CTok::SymChar(s, i)))),
                None => out.push(CPat::Tok(CTok::Sym(s))),
            },
        }
    }
    out
}

/// Whether the pattern matches for every value of the symbols: symbols are opaque tokens
/// (a fixed-length symbol is that many opaque characters, each matched by `?`).
fn certainly(p: &[PTok<'_>], r: &[RTok<'_>], case: Case) -> bool {
    let p = certain_pattern_tokens(p);
    let r = certain_request_tokens(r);
    let m = r.len();
    // row[j]: the first i pattern tokens can match the first j request tokens.
    let mut row = vec![false; m + 1];
    if let Some(first) = row.first_mut() {
        *first = true;
    }
    let mut next = vec![false; m + 1];
    for pt in &p {
        match pt {
            CPat::Star => {
                let mut any = false;
                for (n, &cur) in next.iter_mut().zip(row.iter()) {
                    any |= cur;
                    *n = any;
                }
            }
            _ => {
                if let Some(first) = next.first_mut() {
                    *first = false;
                }
                for (j, rt) in r.iter().enumerate() {
                    let step = match (pt, rt) {
                        (CPat::Tok(CTok::Char(a)), CTok::Char(b)) => case.eq_char(*a, *b),
                        (CPat::Quest, CTok::Char(_) | CTok::SymChar(..)) => true,
                        (CPat::Tok(a), b) => a == b,
                        _ => false,
                    };
                    let reach = step && row.get(j).copied().unwrap_or(false);
                    if let Some(n) = next.get_mut(j + 1) {
                        *n = reach;
                    }
                }
            }
        }
        std::mem::swap(&mut row, &mut next);
        if !row.iter().any(|&b| b) {
            return false;
        }
    }
    row.last().copied().unwrap_or(false)
}

/// Flags of a product state, packed into 5 bits (see [`possibly`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Flags {
    /// The pattern's current token was entered at the current boundary (no character consumed).
    zp: bool,
    /// The request's current token was entered at the current boundary.
    zr: bool,
    /// The current pattern symbol and request symbol are of different resources and were
    /// entered at the same boundary.
    together: bool,
    /// One side of a `together` pair left it at this boundary, so the other may not leave at
    /// this boundary too (that would make the two values equal).
    block: Block,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    None,
    /// The pattern may not leave its symbol at this boundary.
    Pattern,
    /// The request may not leave its symbol at this boundary.
    Request,
}

impl Flags {
    fn bit(self) -> u32 {
        let block = match self.block {
            Block::None => 0,
            Block::Pattern => 1,
            Block::Request => 2,
        };
        let index = u32::from(self.zp)
            | (u32::from(self.zr) << 1)
            | (u32::from(self.together) << 2)
            | (block << 3);
        1 << index
    }

    fn from_index(index: u32) -> Flags {
        Flags {
            zp: index & 1 != 0,
            zr: index & 2 != 0,
            together: index & 4 != 0,
            block: match index >> 3 {
                1 => Block::Pattern,
                2 => Block::Request,
                _ => Block::None,
            },
        }
    }
}

/// The indexes of the [`Flags`] in a cell's set, lowest first: only the bits that are set,
/// usually one or two of the 24.
fn states(mut set: u32) -> impl Iterator<Item = u32> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let index = set.trailing_zeros();
            set &= set - 1;
            index
        })
    })
}

fn is_loop_p(t: Option<&PTok<'_>>) -> bool {
    matches!(t, Some(PTok::Star | PTok::Sym(_)))
}

fn sym_allows(sym: &Symbol, c: char) -> bool {
    !(c == ':' && sym.is_single_segment())
}

fn distinct(p: Option<&PTok<'_>>, r: Option<&RTok<'_>>) -> bool {
    match (p, r) {
        (Some(PTok::Sym(a)), Some(RTok::Sym(b))) => {
            matches!((a.distinct_resource(), b.distinct_resource()), (Some(x), Some(y)) if x != y)
        }
        _ => false,
    }
}

/// Whether some value of the symbols could make the pattern match: a reachability walk over
/// the product of the pattern's and the request's token positions, each symbol (and `*`) a
/// loop over the characters it may contain. Each cell holds the set of reachable [`Flags`].
/// Every move goes to the same cell (both sides loop on one character), right, down or
/// diagonally, so one pass in row-major order visits states after all their predecessors.
fn possibly(p: &[PTok<'_>], r: &[RTok<'_>], case: Case) -> bool {
    let n = p.len();
    let m = r.len();
    let width = m + 1;
    let mut cells = vec![0u32; (n + 1) * width];
    let start = Flags {
        zp: true,
        zr: true,
        together: distinct(p.first(), r.first()),
        block: Block::None,
    };
    if let Some(c) = cells.first_mut() {
        *c = start.bit();
    }
    for i in 0..=n {
        for j in 0..=m {
            let Some(&first) = cells.get(i * width + j) else {
                continue;
            };
            let mut set = first;
            if set == 0 {
                continue;
            }
            let pt = p.get(i);
            let rt = r.get(j);
            let both_loop = is_loop_p(pt) && matches!(rt, Some(RTok::Sym(_)));
            if both_loop {
                // Both sides loop on one common character (any letter fits both loops).
                let mut extra = 0u32;
                for index in states(set) {
                    let f = Flags::from_index(index);
                    extra |= Flags {
                        zp: false,
                        zr: false,
                        together: f.together,
                        block: Block::None,
                    }
                    .bit();
                }
                set |= extra;
                if let Some(c) = cells.get_mut(i * width + j) {
                    *c = set;
                }
            }
            if i == n && j == m {
                return true;
            }
            for index in states(set) {
                let f = Flags::from_index(index);
                let pair = distinct(pt, rt) && f.together;
                let mut push = |ni: usize, nj: usize, zp: bool, zr: bool, block: Block| {
                    let together = if distinct(p.get(ni), r.get(nj)) {
                        if ni == i && nj == j {
                            f.together
                        } else {
                            zp && zr
                        }
                    } else {
                        false
                    };
                    let bit = Flags {
                        zp,
                        zr,
                        together,
                        block,
                    }
                    .bit();
                    if let Some(c) = cells.get_mut(ni * width + nj) {
                        *c |= bit;
                    }
                };
                // The pattern leaves a loop token without consuming.
                if is_loop_p(pt) && f.block != Block::Pattern {
                    let block = if pair || f.block == Block::Request {
                        Block::Request
                    } else {
                        Block::None
                    };
                    push(i + 1, j, true, f.zr, block);
                }
                // The request leaves a symbol without consuming.
                if matches!(rt, Some(RTok::Sym(_))) && f.block != Block::Request {
                    let block = if pair || f.block == Block::Pattern {
                        Block::Pattern
                    } else {
                        Block::None
                    };
                    push(i, j + 1, f.zp, true, block);
                }
                // Both sides consume one character.
                match (pt, rt) {
                    (Some(PTok::Char(a)), Some(RTok::Char(b))) if case.eq_char(*a, *b) => {
                        push(i + 1, j + 1, true, true, Block::None);
                    }
                    (Some(PTok::Quest), Some(RTok::Char(_))) => {
                        push(i + 1, j + 1, true, true, Block::None);
                    }
                    (Some(PTok::Char(a)), Some(RTok::Sym(s))) if sym_allows(s, *a) => {
                        push(i + 1, j, true, false, Block::None);
                    }
                    (Some(PTok::Quest), Some(RTok::Sym(_))) => {
                        push(i + 1, j, true, false, Block::None);
                    }
                    (Some(PTok::Star), Some(RTok::Char(_) | RTok::SymChar(..))) => {
                        push(i, j + 1, false, true, Block::None);
                    }
                    // A character of a fixed-length symbol is a letter or a digit.
                    (Some(PTok::Char(a)), Some(RTok::SymChar(..))) if a.is_ascii_alphanumeric() => {
                        push(i + 1, j + 1, true, true, Block::None);
                    }
                    (Some(PTok::Quest), Some(RTok::SymChar(..))) => {
                        push(i + 1, j + 1, true, true, Block::None);
                    }
                    (Some(PTok::Sym(s)), Some(RTok::SymChar(..))) if sym_allows(s, 'a') => {
                        push(i, j + 1, false, true, Block::None);
                    }
                    (Some(PTok::Sym(s)), Some(RTok::Char(c))) if sym_allows(s, *c) => {
                        push(i, j + 1, false, true, Block::None);
                    }
                    _ => {}
                }
            }
        }
    }
    false
}

/// The reason an unknown match is unknown: the symbols that appear on one side only (those
/// that cannot line up with an equal symbol), or all of them.
fn reason(pattern: &SymStr, request: &SymStr) -> String {
    let mut one_sided: Vec<&Symbol> = Vec::new();
    let mut all: Vec<&Symbol> = Vec::new();
    for sym in request.symbols().chain(pattern.symbols()) {
        if !all.contains(&sym) {
            all.push(sym);
        }
        let in_request = request.symbols().any(|s| s == sym);
        let in_pattern = pattern.symbols().any(|s| s == sym);
        let on_both_sides = in_request && in_pattern;
        if !on_both_sides && !one_sided.contains(&sym) {
            one_sided.push(sym);
        }
    }
    let chosen = if one_sided.is_empty() { all } else { one_sided };
    let mut reasons: Vec<String> = Vec::new();
    for sym in chosen {
        let r = sym.reason();
        if !reasons.contains(&r) {
            reasons.push(r);
        }
    }
    if reasons.is_empty() {
        "the value is only known at deploy time".to_string()
    } else {
        reasons.join("; ")
    }
}

#[cfg(test)]
mod tests;
