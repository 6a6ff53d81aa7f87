//! A small flag parser shared by every subcommand: `--name value`,
//! `--name=value`, repeatable flags and boolean switches. Unknown flags are
//! errors that name the flag.

use super::CliError;

/// Parsed flags of one subcommand, consumed by name.
#[derive(Debug, Default)]
pub struct Args {
    pairs: Vec<(String, Option<String>)>,
    used: Vec<bool>,
}

impl Args {
    /// Split `args` into flags. `switches` lists flags that take no value.
    pub fn parse(args: &[String], switches: &[&str]) -> Result<Args, CliError> {
        let mut pairs = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let Some(flag) = a.strip_prefix("--") else {
                return Err(CliError::usage(format!("unexpected argument '{a}'")));
            };
            if let Some((k, v)) = flag.split_once('=') {
                pairs.push((k.to_string(), Some(v.to_string())));
            } else if switches.contains(&flag) {
                pairs.push((flag.to_string(), None));
            } else {
                let v = it
                    .next()
                    .ok_or_else(|| CliError::usage(format!("--{flag} needs a value")))?;
                pairs.push((flag.to_string(), Some(v.clone())));
            }
        }
        let used = vec![false; pairs.len()];
        Ok(Args { pairs, used })
    }

    /// True if the switch `name` was given.
    pub fn switch(&mut self, name: &str) -> bool {
        let mut found = false;
        for (i, (k, _)) in self.pairs.iter().enumerate() {
            if k == name {
                self.used[i] = true;
                found = true;
            }
        }
        found
    }

    /// The last value of `--name`, if given.
    pub fn value(&mut self, name: &str) -> Option<String> {
        self.values(name).pop()
    }

    /// Every value of a repeatable `--name`.
    pub fn values(&mut self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, (k, v)) in self.pairs.iter().enumerate() {
            if k == name {
                self.used[i] = true;
                if let Some(v) = v {
                    out.push(v.clone());
                }
            }
        }
        out
    }

    /// `--name` parsed as a number.
    pub fn number(&mut self, name: &str) -> Result<Option<f64>, CliError> {
        match self.value(name) {
            None => Ok(None),
            Some(v) => parse_number(name, &v).map(Some),
        }
    }

    /// Fail on any flag nobody asked for.
    pub fn finish(&self) -> Result<(), CliError> {
        match self.pairs.iter().zip(&self.used).find(|(_, u)| !**u) {
            Some(((k, _), _)) => Err(CliError::usage(format!("unknown option --{k}"))),
            None => Ok(()),
        }
    }
}

/// Parse a finite number, naming the option on failure.
pub fn parse_number(name: &str, text: &str) -> Result<f64, CliError> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(CliError::usage(format!(
            "--{name}: '{text}' is not a finite number"
        ))),
    }
}

/// Parse a comma-separated list of numbers.
pub fn parse_list(name: &str, text: &str) -> Result<Vec<f64>, CliError> {
    text.split(',').map(|p| parse_number(name, p)).collect()
}
