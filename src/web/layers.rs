//! Pictures of chart regions kept between redraws (issue 19: a slider move
//! redraws every chart). A chart's frame — titles, axes, tick labels, grid,
//! and for a band chart its bands — depends only on what it shows and the
//! canvas's size, which a drag seldom changes; measuring and writing it is
//! most of a redraw. [`keep`] notes such a region of a canvas after it is
//! drawn, under a [`Key`] of everything it was drawn from, and copies it
//! the second time in a row it is drawn the same (a chart drawn once, as a
//! job's result, costs no copy); [`restore`] copies it back, pixel for
//! pixel, when the key and the sizes are the same. One picture per canvas
//! (by its `id`); a canvas without an id (a PNG export) is never kept.

use super::canvas::context_of as context;
use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use web_sys::HtmlCanvasElement;

/// A rectangle of a canvas in device pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// What a picture was drawn from, hashed: fed every input of the drawing
/// (texts, numbers by their bits, flags).
#[derive(Debug, Default)]
pub struct Key(DefaultHasher);

impl Key {
    /// An empty key.
    pub fn new() -> Key {
        Key::default()
    }
    /// Add a number (by its bits: -0.0 and 0.0 differ, as their drawings may).
    pub fn num(&mut self, v: f64) -> &mut Key {
        v.to_bits().hash(&mut self.0);
        self
    }
    /// Add numbers, with their count.
    pub fn nums(&mut self, vs: &[f64]) -> &mut Key {
        vs.len().hash(&mut self.0);
        for v in vs {
            v.to_bits().hash(&mut self.0);
        }
        self
    }
    /// Add a text.
    pub fn text(&mut self, s: &str) -> &mut Key {
        s.hash(&mut self.0);
        self
    }
    /// Add anything hashable (flags, integers, colours).
    pub fn add<T: Hash>(&mut self, v: T) -> &mut Key {
        v.hash(&mut self.0);
        self
    }
    /// The key's value.
    pub fn value(&self) -> u64 {
        self.0.finish()
    }
}

/// What a region was drawn from, where, on a canvas of what size.
type Stamp = (u64, Region, (u32, u32));

/// One canvas's last frame: what it was drawn from and, once it has been
/// drawn the same twice in a row, its picture.
struct Kept {
    id: String,
    stamp: Stamp,
    /// The copy (also kept, unused, while `copied` is false: reused).
    picture: Option<HtmlCanvasElement>,
    /// `picture` holds this key's region.
    copied: bool,
}

thread_local! {
    /// One per canvas id: a page has a handful of charts, so a list
    /// (smaller in the module than a map).
    static KEPT: RefCell<Vec<Kept>> = const { RefCell::new(Vec::new()) };
}

/// Copy the picture kept for `canvas` back into `region`, when it was
/// kept under `key` for the same region of a canvas of the same size;
/// returns whether it did (if not, draw the region and [`keep`] it).
pub fn restore(canvas: &HtmlCanvasElement, key: u64, region: Region) -> bool {
    let id = canvas.id();
    if id.is_empty() {
        return false;
    }
    let stamp = (key, region, (canvas.width(), canvas.height()));
    KEPT.with(|kept| {
        let kept = kept.borrow();
        let Some(k) = kept.iter().find(|k| k.id == id) else {
            return false;
        };
        if k.stamp != stamp || !k.copied {
            return false;
        }
        let Some(picture) = &k.picture else {
            return false;
        };
        let Some(ctx) = context(canvas) else {
            return false;
        };
        // Replace the region's pixels exactly ("copy", clipped to the
        // region: unclipped, "copy" would clear the rest of the canvas).
        ctx.save();
        let _ = ctx.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
        ctx.set_global_alpha(1.0);
        ctx.begin_path();
        ctx.rect(
            region.x as f64,
            region.y as f64,
            region.w as f64,
            region.h as f64,
        );
        ctx.clip();
        let _ = ctx.set_global_composite_operation("copy");
        let done = ctx
            .draw_image_with_html_canvas_element(picture, region.x as f64, region.y as f64)
            .is_ok();
        ctx.restore();
        done
    })
}

/// Note that `region` of `canvas` was just drawn from `key`; copy it when
/// the last drawing noted for this canvas was the same (replacing what was
/// kept before for this canvas).
pub fn keep(canvas: &HtmlCanvasElement, key: u64, region: Region) {
    let id = canvas.id();
    if id.is_empty() || region.w == 0 || region.h == 0 {
        return;
    }
    let stamp = (key, region, (canvas.width(), canvas.height()));
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        let old = kept.iter().position(|k| k.id == id);
        let old = old.map(|i| kept.swap_remove(i));
        let again = old.as_ref().is_some_and(|k| k.stamp == stamp);
        let mut entry = Kept {
            id,
            stamp,
            picture: old.and_then(|k| k.picture),
            copied: false,
        };
        if again {
            entry.copied = copy(canvas, region, &mut entry.picture);
        }
        kept.push(entry);
    })
}

/// Copy `region` of `canvas` into `picture` (made when there is none);
/// whether it worked.
fn copy(
    canvas: &HtmlCanvasElement,
    region: Region,
    picture: &mut Option<HtmlCanvasElement>,
) -> bool {
    if picture.is_none() {
        *picture = super::canvas::create().ok();
    }
    let Some(picture) = picture else {
        return false;
    };
    if picture.width() != region.w || picture.height() != region.h {
        picture.set_width(region.w);
        picture.set_height(region.h);
    }
    let Some(ctx) = context(picture) else {
        return false;
    };
    let _ = ctx.set_global_composite_operation("copy");
    let (x, y, w, h) = (
        region.x as f64,
        region.y as f64,
        region.w as f64,
        region.h as f64,
    );
    ctx.draw_image_with_html_canvas_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
        canvas, x, y, w, h, 0.0, 0.0, w, h,
    )
    .is_ok()
}
