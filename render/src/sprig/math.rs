//! Arithmetic: the integer functions work in `int64` through `cast` (floats truncate, strings parse, what
//! does not convert counts as 0), the `f` functions in `float64`, with decimal arithmetic as Sprig does.

use crate::template::{Funcs, Value};

use super::args::{Out, at_least, exact, float, float64_or_zero, int, int64_or_zero};
use super::decimal::Decimal;

/// Registers the math functions.
pub(crate) fn register(f: &mut Funcs) {
    f.insert("add", |_, a| {
        Ok(Value::Int(
            a.iter().map(int64_or_zero).fold(0i64, i64::wrapping_add),
        ))
    });
    f.insert("add1", |_, a| {
        exact(a, 1)?;
        Ok(Value::Int(int64_or_zero(&a[0]).wrapping_add(1)))
    });
    f.insert("sub", |_, a| {
        exact(a, 2)?;
        Ok(Value::Int(
            int64_or_zero(&a[0]).wrapping_sub(int64_or_zero(&a[1])),
        ))
    });
    f.insert("mul", |_, a| {
        at_least(a, 1)?;
        Ok(Value::Int(
            a.iter().map(int64_or_zero).fold(1i64, i64::wrapping_mul),
        ))
    });
    f.insert("div", |_, a| {
        exact(a, 2)?;
        let d = nonzero(int64_or_zero(&a[1]))?;
        Ok(Value::Int(int64_or_zero(&a[0]).wrapping_div(d)))
    });
    f.insert("mod", |_, a| {
        exact(a, 2)?;
        let d = nonzero(int64_or_zero(&a[1]))?;
        Ok(Value::Int(int64_or_zero(&a[0]).wrapping_rem(d)))
    });
    for name in ["max", "biggest"] {
        f.insert(name, |_, a| {
            at_least(a, 1)?;
            Ok(Value::Int(a.iter().map(int64_or_zero).max().unwrap_or(0)))
        });
    }
    f.insert("min", |_, a| {
        at_least(a, 1)?;
        Ok(Value::Int(a.iter().map(int64_or_zero).min().unwrap_or(0)))
    });
    f.insert("maxf", |_, a| {
        at_least(a, 1)?;
        Ok(Value::Float(
            a.iter()
                .map(float64_or_zero)
                .fold(f64::NEG_INFINITY, go_max),
        ))
    });
    f.insert("minf", |_, a| {
        at_least(a, 1)?;
        Ok(Value::Float(
            a.iter().map(float64_or_zero).fold(f64::INFINITY, go_min),
        ))
    });
    f.insert("floor", |_, a| {
        exact(a, 1)?;
        Ok(Value::Float(float64_or_zero(&a[0]).floor()))
    });
    f.insert("ceil", |_, a| {
        exact(a, 1)?;
        Ok(Value::Float(float64_or_zero(&a[0]).ceil()))
    });
    f.insert("round", |_, a| {
        if !(2..=3).contains(&a.len()) {
            return Err(format!("wrong number of args: want 2 or 3 got {}", a.len()));
        }
        let on = a.get(2).map(float).transpose()?.unwrap_or(0.5);
        Ok(Value::Float(round(float64_or_zero(&a[0]), int(&a[1])?, on)))
    });
    f.insert("addf", |_, a| decimal_op(&Value::Float(0.0), a, Op::Add));
    f.insert("add1f", |_, a| {
        exact(a, 1)?;
        decimal_op(&a[0], &[Value::Int(1)], Op::Add)
    });
    f.insert("subf", |_, a| {
        at_least(a, 1)?;
        decimal_op(&a[0], &a[1..], Op::Sub)
    });
    f.insert("mulf", |_, a| {
        at_least(a, 1)?;
        decimal_op(&a[0], &a[1..], Op::Mul)
    });
    f.insert("divf", |_, a| {
        at_least(a, 1)?;
        for d in &a[1..] {
            if float64_or_zero(d) == 0.0 {
                return Err("decimal division by zero".into());
            }
        }
        decimal_op(&a[0], &a[1..], Op::Div)
    });
}

fn nonzero(d: i64) -> Result<i64, String> {
    if d == 0 {
        Err("runtime error: integer divide by zero".into())
    } else {
        Ok(d)
    }
}

/// Go's `math.Max`: NaN wins.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Go's `math.Min`: NaN wins.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// Sprig's `round`: to `places` decimals, up when the dropped fraction is at least `on`.
fn round(v: f64, places: i64, on: f64) -> f64 {
    let pow = 10f64.powf(places as f64);
    let digit = pow * v;
    let frac = digit.fract();
    let r = if frac >= on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

/// The operations Sprig does in decimal.
#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

impl Op {
    fn decimal(self, a: Decimal, b: Decimal) -> Option<Decimal> {
        match self {
            Op::Add => a.add(b),
            Op::Sub => a.sub(b),
            Op::Mul => a.mul(b),
            Op::Div => a.div(b),
        }
    }

    fn float(self, a: f64, b: f64) -> f64 {
        match self {
            Op::Add => a + b,
            Op::Sub => a - b,
            Op::Mul => a * b,
            Op::Div => a / b,
        }
    }
}

/// Sprig's `execDecimalOp`: fold `rest` into `first` in decimal. Where a value does not fit the decimal
/// type used here, the float operation stands in.
fn decimal_op(first: &Value, rest: &[Value], op: Op) -> Out {
    let mut acc = float64_or_zero(first);
    for v in rest {
        let x = float64_or_zero(v);
        let exact = Decimal::from_f64(acc)
            .zip(Decimal::from_f64(x))
            .and_then(|(a, b)| op.decimal(a, b));
        acc = match exact {
            Some(d) => d.to_f64(),
            None => op.float(acc, x),
        };
    }
    Ok(Value::Float(acc))
}
