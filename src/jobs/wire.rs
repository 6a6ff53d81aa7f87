//! A compact, exact byte encoding of job results (little-endian `f64` bits,
//! so NaN, infinities and every last bit survive the trip between a worker
//! and the page). Both ends are this crate, so the format needs no version.

use crate::analysis::metrics::{Metrics, RelapseType, Response};
use crate::predict::bayes::Bank;
use crate::sensitivity::{Indices, LocalIndex, MorrisIndex, SobolIndex};
use crate::sweep::marrow::Metrics as SweepMetrics;

/// Appends values to a byte buffer.
#[derive(Debug, Default)]
pub struct Writer {
    /// The bytes written so far.
    pub bytes: Vec<u8>,
}

impl Writer {
    /// An empty buffer.
    pub fn new() -> Self {
        Writer::default()
    }
    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    /// A `u64`.
    pub fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// An `f64`, bit for bit.
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    /// An optional `f64`.
    pub fn opt_f64(&mut self, v: Option<f64>) {
        match v {
            Some(x) => {
                self.u8(1);
                self.f64(x);
            }
            None => self.u8(0),
        }
    }
    /// A length-prefixed list of `f64`.
    pub fn f64s(&mut self, v: &[f64]) {
        self.u64(v.len() as u64);
        v.iter().for_each(|x| self.f64(*x));
    }
    /// A length-prefixed list of `f32`.
    pub fn f32s(&mut self, v: &[f32]) {
        self.u64(v.len() as u64);
        for x in v {
            self.bytes.extend_from_slice(&x.to_bits().to_le_bytes());
        }
    }
    /// A length-prefixed byte string.
    pub fn raw(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.bytes.extend_from_slice(v);
    }
    /// A length-prefixed UTF-8 string.
    pub fn str(&mut self, s: &str) {
        self.raw(s.as_bytes());
    }
}

/// Reads values written by [`Writer`]; every read checks the length.
#[derive(Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// A malformed buffer.
pub type WireError = String;

impl<'a> Reader<'a> {
    /// Read from the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }
    /// True when everything was read.
    pub fn at_end(&self) -> bool {
        self.at == self.bytes.len()
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| format!("job result truncated at byte {}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    /// One byte.
    pub fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }
    /// A `u64`.
    pub fn u64(&mut self) -> Result<u64, WireError> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }
    /// A count (a `u64` that must fit the remaining bytes at `each` bytes per item).
    pub fn len(&mut self, each: usize) -> Result<usize, WireError> {
        let n = self.u64()? as usize;
        if n.saturating_mul(each) > self.bytes.len() - self.at {
            return Err(format!("job result: bad length {n}"));
        }
        Ok(n)
    }
    /// An `f64`.
    pub fn f64(&mut self) -> Result<f64, WireError> {
        Ok(f64::from_bits(self.u64()?))
    }
    /// An optional `f64`.
    pub fn opt_f64(&mut self) -> Result<Option<f64>, WireError> {
        Ok(match self.u8()? {
            0 => None,
            _ => Some(self.f64()?),
        })
    }
    /// `n` items, each read by `item`.
    pub fn items<T>(
        &mut self,
        n: usize,
        mut item: impl FnMut(&mut Self) -> Result<T, WireError>,
    ) -> Result<Vec<T>, WireError> {
        (0..n).map(|_| item(self)).collect()
    }
    /// A list of `f64`.
    pub fn f64s(&mut self) -> Result<Vec<f64>, WireError> {
        let n = self.len(8)?;
        self.items(n, Self::f64)
    }
    /// A list of `f32`.
    pub fn f32s(&mut self) -> Result<Vec<f32>, WireError> {
        let n = self.len(4)?;
        let raw = self.take(4 * n)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| f32::from_bits(u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect())
    }
    /// A byte string.
    pub fn raw(&mut self) -> Result<&'a [u8], WireError> {
        let n = self.len(1)?;
        self.take(n)
    }
    /// A UTF-8 string.
    pub fn str(&mut self) -> Result<String, WireError> {
        String::from_utf8(self.raw()?.to_vec()).map_err(|_| "job result: bad text".to_string())
    }
}

/// Response class from its index (see [`crate::cohort::response_index`]).
pub fn response_from_index(i: u8) -> Result<Response, WireError> {
    Ok(match i {
        0 => Response::Cr,
        1 => Response::Nr,
        2 => Response::Cd19PosRelapse,
        3 => Response::Cd19NegRelapse,
        _ => return Err(format!("job result: bad class {i}")),
    })
}

/// Write a course's metrics.
pub fn put_metrics(w: &mut Writer, m: &Metrics) {
    for v in [m.ft, m.fnegr, m.fp, m.peak, m.t_peak, m.auc7, m.auc28] {
        w.f64(v);
    }
    w.opt_f64(m.remission_day);
    w.opt_f64(m.mrd_day);
    w.opt_f64(m.relapse_day);
    w.u8(match m.relapse_type {
        None => 0,
        Some(RelapseType::Cd19Pos) => 1,
        Some(RelapseType::Cd19Neg) => 2,
    });
    w.u8(crate::cohort::response_index(m.response) as u8);
}

/// Read a course's metrics.
pub fn get_metrics(r: &mut Reader) -> Result<Metrics, WireError> {
    let mut v = [0.0; 7];
    for x in v.iter_mut() {
        *x = r.f64()?;
    }
    let (remission_day, mrd_day, relapse_day) = (r.opt_f64()?, r.opt_f64()?, r.opt_f64()?);
    let relapse_type = match r.u8()? {
        0 => None,
        1 => Some(RelapseType::Cd19Pos),
        2 => Some(RelapseType::Cd19Neg),
        k => return Err(format!("job result: bad relapse type {k}")),
    };
    Ok(Metrics {
        ft: v[0],
        fnegr: v[1],
        fp: v[2],
        peak: v[3],
        t_peak: v[4],
        auc7: v[5],
        auc28: v[6],
        remission_day,
        mrd_day,
        relapse_day,
        relapse_type,
        response: response_from_index(r.u8()?)?,
    })
}

/// Write a prior bank (or a slice of one).
pub fn put_bank(w: &mut Writer, b: &Bank) {
    w.f64s(&b.days);
    w.raw(&b.cohort);
    let resp: Vec<u8> = b
        .response
        .iter()
        .map(|r| crate::cohort::response_index(*r) as u8)
        .collect();
    w.raw(&resp);
    w.f64s(&b.ln_tb0);
    w.f64s(&b.ln_car);
    w.f64s(&b.forecast_t);
    w.f32s(&b.forecast_tb);
    w.f32s(&b.forecast_car);
}

/// Read a prior bank.
pub fn get_bank(r: &mut Reader) -> Result<Bank, WireError> {
    let days = r.f64s()?;
    let cohort = r.raw()?.to_vec();
    let response = r
        .raw()?
        .iter()
        .map(|i| response_from_index(*i))
        .collect::<Result<Vec<_>, _>>()?;
    let bank = Bank {
        days,
        cohort,
        response,
        ln_tb0: r.f64s()?,
        ln_car: r.f64s()?,
        forecast_t: r.f64s()?,
        forecast_tb: r.f32s()?,
        forecast_car: r.f32s()?,
    };
    let n = bank.cohort.len();
    let (nd, nf) = (bank.days.len(), bank.forecast_t.len());
    if bank.response.len() != n
        || bank.ln_tb0.len() != n
        || bank.ln_car.len() != n * nd
        || bank.forecast_tb.len() != bank.forecast_car.len()
        || (!bank.forecast_tb.is_empty() && bank.forecast_tb.len() != n * nf)
    {
        return Err("job result: inconsistent prior bank".into());
    }
    Ok(bank)
}

/// Write a sensitivity study's indices and how many samples were dropped
/// ([`crate::sensitivity::estimate::analyse`]).
pub fn put_indices(w: &mut Writer, ix: &Indices, dropped: usize) {
    let pair = |w: &mut Writer, v: Option<[f64; 2]>| {
        w.opt_f64(v.map(|p| p[0]));
        w.opt_f64(v.map(|p| p[1]));
    };
    w.u64(dropped as u64);
    match ix {
        Indices::Sobol(v) => {
            w.u8(0);
            w.u64(v.len() as u64);
            for s in v {
                w.opt_f64(s.first);
                pair(w, s.first_ci95);
                w.opt_f64(s.total);
                pair(w, s.total_ci95);
            }
        }
        Indices::Morris(v) => {
            w.u8(1);
            w.u64(v.len() as u64);
            for m in v {
                w.opt_f64(m.mu_star);
                w.opt_f64(m.mu);
                w.opt_f64(m.sigma);
            }
        }
        Indices::Local(v) => {
            w.u8(2);
            w.u64(v.len() as u64);
            for l in v {
                w.opt_f64(l.coefficient);
            }
        }
    }
}

/// Read what [`put_indices`] wrote.
pub fn get_indices(r: &mut Reader) -> Result<(Indices, usize), WireError> {
    let pair = |r: &mut Reader| -> Result<Option<[f64; 2]>, WireError> {
        match (r.opt_f64()?, r.opt_f64()?) {
            (Some(a), Some(b)) => Ok(Some([a, b])),
            (None, None) => Ok(None),
            _ => Err("job result: an interval with one end".into()),
        }
    };
    let dropped = r.u64()? as usize;
    let kind = r.u8()?;
    let n = r.len(1)?;
    let ix = match kind {
        0 => Indices::Sobol(r.items(n, |r| {
            Ok(SobolIndex {
                first: r.opt_f64()?,
                first_ci95: pair(r)?,
                total: r.opt_f64()?,
                total_ci95: pair(r)?,
            })
        })?),
        1 => Indices::Morris(r.items(n, |r| {
            Ok(MorrisIndex {
                mu_star: r.opt_f64()?,
                mu: r.opt_f64()?,
                sigma: r.opt_f64()?,
            })
        })?),
        2 => Indices::Local(r.items(n, |r| {
            Ok(LocalIndex {
                coefficient: r.opt_f64()?,
            })
        })?),
        k => return Err(format!("job result: unknown kind of indices {k}")),
    };
    Ok((ix, dropped))
}

/// Write one sweep point's outcome (a failure as its message).
pub fn put_sweep(w: &mut Writer, m: &Result<SweepMetrics, crate::model::ModelError>) {
    match m {
        Ok(m) => {
            w.u8(1);
            for v in [m.l30, m.c0, m.c_peak, m.tpeak] {
                w.f64(v);
            }
        }
        Err(e) => {
            w.u8(0);
            w.str(&e.to_string());
        }
    }
}

/// Read one sweep point's outcome.
pub fn get_sweep(
    r: &mut Reader,
) -> Result<Result<SweepMetrics, crate::model::ModelError>, WireError> {
    Ok(match r.u8()? {
        0 => Err(crate::model::ModelError::Invalid(r.str()?)),
        _ => Ok(SweepMetrics {
            l30: r.f64()?,
            c0: r.f64()?,
            c_peak: r.f64()?,
            tpeak: r.f64()?,
        }),
    })
}
