//! Splitting a seeded study across processes or machines (`--shard i/n`)
//! and putting the pieces back together (`cartsim merge FILES…`).
//!
//! A command that can be sharded describes its work as numbered items
//! ([`Job`]): patients of a trial, points of a sweep, rows of a sensitivity
//! design. Shard `i` of `n` computes a contiguous range of whole groups of
//! items and prints a partial result: the command, its arguments (without
//! `--shard`), the range and every item's values as the bits of each `f64`
//! (exact, NaN included). `merge` checks that the partials are the shards
//! of one command, concatenates their values in item order and runs the
//! command's last step on them: the output is exactly the unsharded one
//! (timing fields aside, which are the sums of the shards').

use super::CliError;
use std::ops::Range;

/// Version of the partial-result format.
pub const FORMAT: u32 = 1;

/// `--shard i/n`: shard `index` (0 to n − 1) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 0.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Parse `i/n` (0 ≤ i < n, 1 ≤ n ≤ 100,000).
    pub fn parse(text: &str) -> Result<Shard, CliError> {
        let bad = || {
            CliError::usage(format!(
                "--shard '{text}': expected i/n with 0 ≤ i < n (e.g. 0/4 … 3/4)"
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || count > 100_000 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's items of `items` in groups of `group`: whole groups,
    /// split as evenly as possible, in order.
    pub fn range(self, items: usize, group: usize) -> Range<usize> {
        let groups = items / group.max(1);
        let at = |i: usize| (groups * i / self.count) * group;
        let end = if self.index + 1 == self.count {
            items
        } else {
            at(self.index + 1)
        };
        at(self.index)..end
    }
}

/// Work split into numbered items, each giving `width` numbers.
pub trait Job {
    /// Number of items.
    fn items(&self) -> usize;
    /// Items that must stay in one shard (a base sample of a Sobol design).
    fn group(&self) -> usize {
        1
    }
    /// Numbers per item.
    fn width(&self) -> usize;
    /// The values of items `range` (`width` per item, in order) and the
    /// timing fields of this piece of work (seconds; summed by `merge`).
    fn compute(&self, range: Range<usize>) -> Result<(Vec<f64>, Vec<f64>), CliError>;
    /// The command's output from every item's values and the timings.
    fn finish(&self, values: &[f64], timings: &[f64]) -> Result<String, CliError>;
}

/// Take `--shard i/n` out of `args`, if given.
pub fn take_shard(args: &[String]) -> Result<(Vec<String>, Option<Shard>), CliError> {
    let mut rest = Vec::with_capacity(args.len());
    let mut shard = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--shard" {
            let v = it
                .next()
                .ok_or_else(|| CliError::usage("--shard needs a value i/n"))?;
            shard = Some(Shard::parse(v)?);
        } else if let Some(v) = a.strip_prefix("--shard=") {
            shard = Some(Shard::parse(v)?);
        } else {
            rest.push(a.clone());
        }
    }
    Ok((rest, shard))
}

/// Run a job whole (its output) or as one shard (a partial result).
pub fn run(
    command: &str,
    args: &[String],
    shard: Option<Shard>,
    job: &dyn Job,
) -> Result<String, CliError> {
    let items = job.items();
    let Some(shard) = shard else {
        let (values, timings) = job.compute(0..items)?;
        return job.finish(&values, &timings);
    };
    let range = shard.range(items, job.group());
    let (values, timings) = job.compute(range.clone())?;
    let bits: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
    let v = serde_json::json!({
        "cartsim_partial": FORMAT,
        "version": env!("CARGO_PKG_VERSION"),
        "command": command,
        "args": args,
        "shard": shard.index,
        "shards": shard.count,
        "items": items,
        "width": job.width(),
        "start": range.start,
        "end": range.end,
        "timings": timings,
        "values": bits,
    });
    Ok(format!("{v}\n"))
}

/// One parsed partial result.
#[derive(Debug, serde::Deserialize)]
struct Partial {
    cartsim_partial: u32,
    version: String,
    command: String,
    args: Vec<String>,
    shard: usize,
    shards: usize,
    items: usize,
    width: usize,
    start: usize,
    end: usize,
    timings: Vec<f64>,
    values: Vec<u64>,
}

/// Help for `cartsim merge`.
pub const HELP: &str = "\
cartsim merge — combine the partial results of `--shard i/n` runs

USAGE:
    cartsim merge FILE...

Each FILE is the output of one shard of the same command (`cartsim trial`,
`sweep` or `sensitivity` with `--shard i/n`, the same other options). Every
shard from 0 to n-1 must be given once, in any order. The output is exactly
what the command prints without --shard (timing fields are the shards' sums).
";

/// Makes a command's job from its name and arguments (for `merge`).
pub type Builder<'a> = &'a dyn Fn(&str, &[String]) -> Result<Box<dyn Job>, CliError>;

/// Run `cartsim merge FILES…`; `build` makes a command's job from its name
/// and arguments.
pub fn merge(files: &[String], build: Builder) -> Result<String, CliError> {
    if files.is_empty() {
        return Err(CliError::usage(
            "merge needs the partial files of every shard",
        ));
    }
    let mut parts: Vec<Partial> = Vec::with_capacity(files.len());
    for f in files {
        let text = std::fs::read_to_string(f)
            .map_err(|e| CliError::usage(format!("cannot read {f}: {e}")))?;
        let p: Partial = serde_json::from_str(&text).map_err(|_| {
            CliError::usage(format!("{f} is not a partial result of `--shard i/n`"))
        })?;
        if p.cartsim_partial != FORMAT {
            return Err(CliError::usage(format!(
                "{f}: partial format {} is not the supported {FORMAT}",
                p.cartsim_partial
            )));
        }
        parts.push(p);
    }
    let first = &parts[0];
    for (p, f) in parts.iter().zip(files) {
        if p.command != first.command || p.args != first.args || p.shards != first.shards {
            return Err(CliError::usage(format!(
                "{f} is a shard of a different run than {} (command, options or shard count differ)",
                files[0]
            )));
        }
        if p.version != first.version {
            return Err(CliError::usage(format!(
                "{f} was made by cartsim {}, {} by {}",
                p.version, files[0], first.version
            )));
        }
    }
    let shards = first.shards;
    parts.sort_by_key(|p| p.shard);
    let first = &parts[0];
    for (i, p) in parts.iter().enumerate() {
        if p.shard != i {
            return Err(CliError::usage(format!(
                "shard {i} of {shards} is missing or given twice"
            )));
        }
    }
    if parts.len() != first.shards {
        return Err(CliError::usage(format!(
            "{} shards given, the run has {}",
            parts.len(),
            first.shards
        )));
    }
    let job = build(&first.command, &first.args)?;
    let (items, width) = (job.items(), job.width());
    let mut values = Vec::with_capacity(items * width);
    let mut timings: Vec<f64> = Vec::new();
    let mut next = 0;
    for p in &parts {
        if p.items != items
            || p.width != width
            || p.start != next
            || p.end < p.start
            || p.values.len() != (p.end - p.start) * width
        {
            return Err(CliError::usage(format!(
                "shard {} does not fit the run (items {}..{} of {items})",
                p.shard, p.start, p.end
            )));
        }
        next = p.end;
        values.extend(p.values.iter().map(|b| f64::from_bits(*b)));
        if timings.len() < p.timings.len() {
            timings.resize(p.timings.len(), 0.0);
        }
        for (t, s) in timings.iter_mut().zip(&p.timings) {
            *t += s;
        }
    }
    if next != items {
        return Err(CliError::usage(format!(
            "the shards cover items 0..{next} of {items}"
        )));
    }
    job.finish(&values, &timings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_group_once() {
        for (items, group) in [(10, 1), (12, 3), (7, 7), (0, 4), (1000, 17)] {
            for n in 1..9 {
                let mut next = 0;
                for i in 0..n {
                    let r = Shard { index: i, count: n }.range(items, group);
                    assert_eq!(r.start, next);
                    assert!(r.start.is_multiple_of(group) || r.start == items);
                    next = r.end;
                }
                assert_eq!(next, items);
            }
        }
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert_eq!(Shard::parse("2/5").unwrap(), Shard { index: 2, count: 5 });
    }
}
