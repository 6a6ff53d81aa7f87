//! Automatic run labels ("rTA ×2", "preset nr", "α = 1e-9") and the
//! compact number format they use.

use crate::scenario::Scenario;

/// A number in at most six significant digits, in exponent form (`1e-9`,
/// `1.5e+7`) outside [1e-4, 1e6): run labels, and every number the page
/// shows (`web::format` re-exports it).
pub fn compact(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if (1e-4..1e6).contains(&a) {
        let decimals = (5 - a.log10().floor() as i32).clamp(0, 12) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    } else {
        let s = format!("{v:.5e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        if let Some(neg) = e.strip_prefix('-') {
            format!("{m}e-{neg}")
        } else {
            format!("{m}e+{e}")
        }
    }
}

/// What `run` changes from `base`, for a legend: each difference in a
/// stable order (preset, parameters and settings in the model's order,
/// options, solver, horizon, units), joined with ", "; "base" when there
/// is none. A parameter is named by its symbol written on one line (the
/// paper's r_TA is "rTA", ρ_C "ρC", α "α"): changed by a round factor
/// under ten it reads "rTA ×2" or "rTA ÷3", otherwise it gives the new
/// value in [`compact`] form ("α = 1e-9", "α = 3e-11" for a tenfold step).
pub fn label(run: &Scenario, base: &Scenario) -> String {
    let mut parts: Vec<String> = Vec::new();
    if run.model != base.model {
        parts.push(format!("model {}", run.model));
    }
    if run.preset != base.preset {
        parts.push(format!("preset {}", run.preset));
    }
    for spec in run.model.all_specs() {
        // Only keys either side sets: a preset switch is one difference, not
        // every parameter the two presets disagree on.
        if !run.values.contains_key(spec.name) && !base.values.contains_key(spec.name) {
            continue;
        }
        let (Some(r), Some(b)) = (run.value(spec.name), base.value(spec.name)) else {
            continue;
        };
        if r != b {
            parts.push(change(&inline_symbol(spec.symbol), r, b));
        }
    }
    for opt in run.model.options() {
        let default = opt.choices.first().copied().unwrap_or("");
        let r = run.options.get(opt.name).map_or(default, |s| s.as_str());
        let b = base.options.get(opt.name).map_or(default, |s| s.as_str());
        if r != b {
            parts.push(format!("{} {r}", opt.name));
        }
    }
    if run.solver != base.solver {
        parts.push(format!("solver {}", run.solver.as_str()));
    }
    for (name, r, b) in [
        ("rtol", run.rtol, base.rtol),
        ("atol", run.atol, base.atol),
        ("dt", run.dt, base.dt),
    ] {
        if r != b {
            parts.push(format!("{name} = {}", compact(r)));
        }
    }
    let horizon = |s: &Scenario| s.t_end.unwrap_or_else(|| s.model.default_t_end(&s.preset));
    if run.t_end != base.t_end && horizon(run) != horizon(base) {
        parts.push(format!("horizon {} d", compact(horizon(run))));
    }
    if run.units != base.units {
        parts.push(format!("units {}", run.units));
    }
    if parts.is_empty() {
        "base".into()
    } else {
        parts.join(", ")
    }
}

/// The label of a comparison's first run: its preset, then what differs
/// from that preset ("preset cr", "preset fig5a, α = 3e-9").
pub fn base_label(base: &Scenario) -> String {
    let own = Scenario::preset(base.model, &base.preset);
    match label(base, &own).as_str() {
        "base" => format!("preset {}", base.preset),
        diff => format!("preset {}, {diff}", base.preset),
    }
}

/// A parameter's display symbol on one line: the `_` that marks a
/// subscript is dropped (`r_TA` → `rTA`, `n_P(0)` → `nP(0)`).
pub fn inline_symbol(symbol: &str) -> String {
    symbol.replace('_', "")
}

/// "name ×r" when `run / base` is a round ratio, "name ÷n" when its inverse
/// is a whole number, else "name = run".
fn change(name: &str, run: f64, base: f64) -> String {
    match ratio_text(run, base) {
        Some(r) => format!("{name} {r}"),
        None => format!("{name} = {}", compact(run)),
    }
}

/// `×2`, `×1.5`, `×0.5`, `÷3` for round ratios strictly between a tenth
/// and ten (one or two significant digits, the second a 5; or the inverse
/// of a whole number), `None` otherwise: a change by a factor of ten or
/// more is clearer as the new value.
fn ratio_text(run: f64, base: f64) -> Option<String> {
    if base == 0.0 || run == 0.0 || !run.is_finite() || !base.is_finite() {
        return None;
    }
    let r = run / base;
    if r <= 0.1 || r >= 10.0 || r == 1.0 {
        return None;
    }
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs();
    let e = r.log10().floor();
    let scale = 10f64.powf(e);
    let mantissa = r / scale;
    for m in [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0] {
        if close(mantissa, m) {
            return Some(format!("×{}", compact(m * scale)));
        }
    }
    let inv = 1.0 / r;
    let n = inv.round();
    if r < 1.0 && close(inv, n) {
        return Some(format!("÷{n}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_on_one_line() {
        assert_eq!(inline_symbol("r_TA"), "rTA");
        assert_eq!(inline_symbol("n_P(0)"), "nP(0)");
        assert_eq!(inline_symbol("α"), "α");
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(1e-9), "1e-9");
        assert_eq!(compact(3.24), "3.24");
        assert_eq!(compact(2.5e7), "2.5e+7");
        assert_eq!(compact(0.0866433912), "0.0866434");
        assert_eq!(compact(0.0), "0");
    }

    #[test]
    fn ratios() {
        assert_eq!(ratio_text(2.0, 1.0).as_deref(), Some("×2"));
        assert_eq!(ratio_text(0.5, 1.0).as_deref(), Some("×0.5"));
        assert_eq!(ratio_text(0.15, 0.1).as_deref(), Some("×1.5"));
        assert_eq!(ratio_text(100.0, 1.0), None);
        assert_eq!(ratio_text(10.0, 1.0), None);
        assert_eq!(ratio_text(0.1, 1.0), None);
        assert_eq!(ratio_text(0.2, 1.0).as_deref(), Some("×0.2"));
        assert_eq!(ratio_text(1.0, 9.0).as_deref(), Some("÷9"));
        assert_eq!(ratio_text(1.0, 3.0).as_deref(), Some("÷3"));
        assert_eq!(ratio_text(1.07, 1.0), None);
        assert_eq!(ratio_text(3.24, 1.1), None);
        assert_eq!(ratio_text(1.0, 0.0), None);
    }
}
