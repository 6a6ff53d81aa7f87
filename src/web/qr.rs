//! The Share panel's QR code of the current link, for a projector in
//! class: students scan it and get the same scenario on their phones.
//! Encoded by the `qrcode` crate (pure Rust, no network) and drawn as
//! modules on a canvas at the device pixel ratio, with the quiet zone of
//! four modules the standard asks for.

use super::{canvas, dom};

/// Quiet zone around the symbol, in modules.
const QUIET: usize = 4;

thread_local! {
    /// The link the QR code shows (or is about to show).
    static SHOWN: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    /// A draw is scheduled.
    static PENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Draw `text` on canvas `id` in a task of its own, soon (encoding and
/// the canvas's first layout are kept out of the task that changed the
/// link); nothing is redrawn when the link is the one already shown.
pub fn draw_later(id: &'static str, text: &str) {
    let changed = SHOWN.with(|s| {
        let mut s = s.borrow_mut();
        let changed = *s != text;
        if changed {
            *s = text.to_string();
        }
        changed
    });
    if !changed || PENDING.with(|p| p.replace(true)) {
        return;
    }
    let _ = dom::after(0, move || {
        PENDING.with(|p| p.set(false));
        // The latest link (it may have changed again since).
        let text = SHOWN.with(|s| s.borrow().clone());
        if let Err(e) = draw(id, &text) {
            dom::set_text("qr-note", &format!("No QR code: {e}"));
        }
    });
}

/// Draw `text` as a QR code (error correction level M) on canvas `id`; a
/// text too long for a QR code leaves the canvas blank and says so in
/// `#qr-note`.
pub fn draw(id: &str, text: &str) -> Result<(), String> {
    let code = match qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M) {
        Ok(c) => c,
        Err(_) => {
            dom::set_text("qr-note", "This link is too long for a QR code.");
            dom::set_hidden(id, true);
            return Ok(());
        }
    };
    dom::set_hidden(id, false);
    dom::set_text("qr-note", "Scan to open this scenario on a phone.");
    // Sized to its CSS box × the device pixel ratio.
    canvas::fit_or_own(id);
    let el = canvas::element(id)?;
    let n = code.width();
    let side = el.width().min(el.height()) as usize;
    // Whole device pixels per module, so every module is sharp.
    let scale = (side / (n + 2 * QUIET)).max(1);
    let offset = ((side - scale * (n + 2 * QUIET)) / 2 + scale * QUIET) as f64;
    let ctx = canvas::context_2d(id)?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, el.width() as f64, el.height() as f64);
    ctx.set_fill_style_str("#000000");
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = (i % n, i / n);
            ctx.fill_rect(
                offset + (x * scale) as f64,
                offset + (y * scale) as f64,
                scale as f64,
                scale as f64,
            );
        }
    }
    dom::attr(&el, "data-modules", &n.to_string());
    Ok(())
}
