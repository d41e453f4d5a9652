//! Terraform's operators on the values the evaluator knows
//! (<https://developer.hashicorp.com/terraform/language/expressions/operators>).
//!
//! Input: an operator and its evaluated operands, with the type each operand's expression
//! shows when it is a literal. Output: the result, or an unknown value with the reason.
//!
//! The evaluator keeps numbers and bools as their text, as a plan prints them, so a value alone
//! does not say whether `1` is a number or a string. Terraform's `==` is strict about types
//! (`1 == "1"` is false), so two operands that print alike as a number or a bool are equal only
//! when both expressions show their type (a literal); otherwise the result is unknown, never a
//! guess. Arithmetic and comparisons take numbers (a string that is a number converts, as in
//! Terraform). `&&` and `||` evaluate both operands, as Terraform does (no short-circuit): an
//! unknown operand makes the result unknown. Arithmetic whose result is not a whole number, or
//! needs more than 15 significant digits, is unknown: Terraform computes with arbitrary
//! precision, which `f64` does not reproduce.

use hcl_edit::expr::{BinaryOperator, Expression, UnaryOperator};

use crate::model::{SymStr, Value, ValueKind};

/// The type a literal expression shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Number,
    Bool,
    String,
    /// Not a literal: the type is the value's, which the evaluator does not keep.
    Unknown,
}

/// The type `expr` shows when it is a literal (through parentheses).
pub fn shown(expr: &Expression) -> Shown {
    match expr {
        Expression::Number(_) => Shown::Number,
        Expression::Bool(_) => Shown::Bool,
        // `"${x}"` alone is the value of `x`, of its own type.
        Expression::StringTemplate(t)
            if matches!(
                t.iter().collect::<Vec<_>>().as_slice(),
                [hcl_edit::template::Element::Interpolation(_)]
            ) =>
        {
            Shown::Unknown
        }
        Expression::String(_) | Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => {
            Shown::String
        }
        Expression::Parenthesis(p) => shown(p.inner()),
        // `-1`, `!true`.
        Expression::UnaryOp(op) => match (op.operator.value(), shown(&op.expr)) {
            (UnaryOperator::Neg, Shown::Number) => Shown::Number,
            (UnaryOperator::Not, Shown::Bool) => Shown::Bool,
            _ => Shown::Unknown,
        },
        _ => Shown::Unknown,
    }
}

fn unknown(reason: impl Into<String>) -> Value {
    Value::new(ValueKind::Unknown(reason.into()), None)
}

fn boolean(b: bool) -> Value {
    Value::str(SymStr::lit(b.to_string()), None)
}

/// The text of a known scalar, or why there is none.
fn known_text(value: &Value, operator: &str) -> Result<String, String> {
    match &value.kind {
        ValueKind::Str(s) => s
            .as_literal()
            .map(str::to_string)
            .ok_or_else(|| format!("an operand of `{operator}` is only known after apply")),
        ValueKind::Unknown(why) => Err(why.clone()),
        ValueKind::Null | ValueKind::NoValue => Err(format!("an operand of `{operator}` is null")),
        _ => Err(format!("an operand of `{operator}` is a collection")),
    }
}

fn number(value: &Value, operator: &str) -> Result<f64, String> {
    let text = known_text(value, operator)?;
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("`{text}` is not a number (an operand of `{operator}`)"))
}

fn truth(value: &Value, operator: &str) -> Result<bool, String> {
    match known_text(value, operator)?.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!(
            "`{other}` is not a bool (an operand of `{operator}`)"
        )),
    }
}

/// A number as Terraform prints it, when `f64` holds it exactly enough.
fn number_value(n: f64, what: &str) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "a whole number below 2^53 converts exactly"
        )]
        let whole = n as i64;
        return Value::str(SymStr::lit(whole.to_string()), None);
    }
    let text = n.to_string();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits <= 15 && !text.contains('e') {
        return Value::str(SymStr::lit(text), None);
    }
    unknown(format!(
        "`{what}` is not a whole number, and Terraform's arbitrary-precision result is not reproduced"
    ))
}

/// `-x` and `!x`.
pub fn unary(operator: UnaryOperator, operand: &Value) -> Value {
    match operator {
        UnaryOperator::Neg => match number(operand, "-") {
            Ok(n) => number_value(-n, "-"),
            Err(why) => unknown(why),
        },
        UnaryOperator::Not => match truth(operand, "!") {
            Ok(b) => boolean(!b),
            Err(why) => unknown(why),
        },
    }
}

/// `a OP b`, both operands evaluated.
pub fn binary(
    operator: BinaryOperator,
    (lhs, lhs_shown): (&Value, Shown),
    (rhs, rhs_shown): (&Value, Shown),
) -> Value {
    use BinaryOperator as Op;
    let symbol = operator.as_str();
    let result = match operator {
        Op::Eq | Op::NotEq => {
            equal((lhs, lhs_shown), (rhs, rhs_shown)).map(|e| boolean(e == (operator == Op::Eq)))
        }
        Op::And | Op::Or => truth(lhs, symbol).and_then(|a| {
            let b = truth(rhs, symbol)?;
            Ok(boolean(if operator == Op::And { a && b } else { a || b }))
        }),
        Op::Less | Op::LessEq | Op::Greater | Op::GreaterEq => number(lhs, symbol).and_then(|a| {
            let b = number(rhs, symbol)?;
            Ok(boolean(match operator {
                Op::Less => a < b,
                Op::LessEq => a <= b,
                Op::Greater => a > b,
                _ => a >= b,
            }))
        }),
        Op::Plus | Op::Minus | Op::Mul | Op::Div | Op::Mod => number(lhs, symbol).and_then(|a| {
            let b = number(rhs, symbol)?;
            if matches!(operator, Op::Div | Op::Mod) && b == 0.0 {
                return Err(format!("`{symbol}` by zero is an error in Terraform"));
            }
            Ok(number_value(
                match operator {
                    Op::Plus => a + b,
                    Op::Minus => a - b,
                    Op::Mul => a * b,
                    Op::Div => a / b,
                    _ => a % b,
                },
                symbol,
            ))
        }),
    };
    result.unwrap_or_else(unknown)
}

/// Terraform's `==`: the same type and the same value; `Err` when the evaluator cannot tell.
fn equal(
    (lhs, lhs_shown): (&Value, Shown),
    (rhs, rhs_shown): (&Value, Shown),
) -> Result<bool, String> {
    let is_null = |v: &Value| matches!(v.kind, ValueKind::Null);
    match (is_null(lhs), is_null(rhs)) {
        (true, true) => return Ok(true),
        (true, false) | (false, true) => {
            // Null equals only null; a value only known after apply is never null here.
            let other = if is_null(lhs) { rhs } else { lhs };
            return match &other.kind {
                ValueKind::Unknown(why) => Err(why.clone()),
                ValueKind::Str(_) | ValueKind::List(_) | ValueKind::Map(_) => Ok(false),
                _ => Err("an operand of `==` may be null".into()),
            };
        }
        (false, false) => {}
    }
    let a = known_text(lhs, "==")?;
    let b = known_text(rhs, "==")?;
    let typed_alike =
        |text: &str| text == "true" || text == "false" || text.trim().parse::<f64>().is_ok();
    let types_known = lhs_shown != Shown::Unknown && rhs_shown != Shown::Unknown;
    if types_known && lhs_shown != rhs_shown {
        return Ok(false);
    }
    if a == b {
        // Two strings, unless the text could be a number or a bool of another type.
        return if !typed_alike(&a) || types_known {
            Ok(true)
        } else {
            Err(format!(
                "`{a}` may be a number, a bool or a string, and `==` compares types"
            ))
        };
    }
    // Different texts: unequal, unless they are the same number written two ways (`1`, `1.0`).
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) if x == y => {
            if types_known && lhs_shown == Shown::Number {
                Ok(true)
            } else if types_known {
                Ok(false)
            } else {
                Err(format!("`{a}` and `{b}` may be the same number"))
            }
        }
        _ => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str) -> Value {
        struct Vars;
        impl super::super::eval::References for Vars {
            fn reference(&self, text: &str) -> Value {
                match text {
                    "var.env" => Value::str(SymStr::lit("prod"), None),
                    "var.one" => Value::str(SymStr::lit("1"), None),
                    "var.yes" => Value::str(SymStr::lit("true"), None),
                    _ => unknown(format!("`{text}` is only known after apply")),
                }
            }
        }
        let expr = hcl_edit::parser::parse_expr(text).unwrap();
        super::super::eval::evaluate(&expr, &Vars, 0)
    }

    fn shows(text: &str) -> String {
        match eval(text).kind {
            ValueKind::Str(s) => s.as_literal().unwrap_or("symbolic").to_string(),
            ValueKind::Unknown(why) => format!("unknown: {why}"),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn arithmetic_on_known_numbers() {
        assert_eq!(shows("1 + 2 * 3"), "7");
        assert_eq!(shows("(1 + 2) * 3"), "9");
        assert_eq!(shows("7 % 3"), "1");
        assert_eq!(shows("-7 % 3"), "-1");
        assert_eq!(shows("5 / 2"), "2.5");
        assert_eq!(shows("-var.one"), "-1");
        assert_eq!(
            shows("\"3\" + 1"),
            "4",
            "a string that is a number converts"
        );
        assert!(shows("10 / 3").starts_with("unknown: `/` is not a whole number"));
        assert!(shows("1 / 0").starts_with("unknown: `/` by zero"));
        assert!(shows("var.env + 1").contains("`prod` is not a number"));
        assert!(shows("var.later + 1").contains("`var.later` is only known after apply"));
    }

    #[test]
    fn comparisons_and_logic() {
        assert_eq!(shows("2 < 10"), "true", "numbers, not text");
        assert_eq!(shows("2 >= 10"), "false");
        assert_eq!(shows("var.one <= 1"), "true");
        assert_eq!(shows("!var.yes"), "false");
        assert_eq!(shows("var.yes && 1 < 2"), "true");
        assert_eq!(shows("false || var.yes"), "true");
        // Both operands are evaluated, as Terraform does: an unknown one decides nothing.
        assert!(shows("false && var.later").starts_with("unknown"));
        assert!(shows("true || var.later").starts_with("unknown"));
        assert!(shows("!var.env").contains("`prod` is not a bool"));
    }

    #[test]
    fn equality_is_strict_about_types() {
        assert_eq!(shows("var.env == \"prod\""), "true");
        assert_eq!(shows("var.env != \"prod\""), "false");
        assert_eq!(shows("var.env == \"dev\""), "false");
        assert_eq!(shows("1 == \"1\""), "false", "a number is not a string");
        assert_eq!(shows("1 == 1.0"), "true");
        assert_eq!(shows("true == \"true\""), "false");
        assert_eq!(shows("null == null"), "true");
        assert_eq!(shows("-1 == -1.0"), "true");
        assert!(shows("\"${var.one}\" == 1").contains("compares types"));
        assert_eq!(shows("var.env == null"), "false");
        // `var.one` may be the number 1 or the string "1".
        assert!(shows("var.one == 1").contains("compares types"));
        assert!(shows("var.later == \"prod\"").starts_with("unknown"));
        assert_eq!(
            shows("var.env == \"prod\" ? \"arn:aws:sqs:us-east-1:1:prod\" : \"x\""),
            "arn:aws:sqs:us-east-1:1:prod"
        );
    }
}
