//! The example data files of `examples/data/` (each [L] preset's own
//! simulated course, sampled as a clinic would, with noise: simulated, not
//! patients), embedded so the page can offer them.

/// One example data file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Example {
    /// File name (`cr.csv`).
    pub file: &'static str,
    /// Menu label (says it is simulated).
    pub label: &'static str,
    /// The model it is for.
    pub model: &'static str,
    /// The preset whose course it samples (the natural start of a fit).
    pub preset: &'static str,
    /// Unit of its `car_t` column.
    pub unit: &'static str,
    /// The file's text.
    pub csv: &'static str,
}

/// The examples, in menu order.
pub const EXAMPLES: [Example; 4] = [
    Example {
        file: "cr.csv",
        label: "simulated CR course (preset cr)",
        model: "clinical",
        preset: "cr",
        unit: "blood-per-ul",
        csv: include_str!("../../examples/data/cr.csv"),
    },
    Example {
        file: "nr.csv",
        label: "simulated NR course (preset nr)",
        model: "clinical",
        preset: "nr",
        unit: "blood-per-ul",
        csv: include_str!("../../examples/data/nr.csv"),
    },
    Example {
        file: "relapse-pos.csv",
        label: "simulated CD19+ relapse (preset relapse-pos)",
        model: "clinical",
        preset: "relapse-pos",
        unit: "blood-per-ul",
        csv: include_str!("../../examples/data/relapse-pos.csv"),
    },
    Example {
        file: "relapse-neg.csv",
        label: "simulated CD19− relapse (preset relapse-neg)",
        model: "clinical",
        preset: "relapse-neg",
        unit: "blood-per-ul",
        csv: include_str!("../../examples/data/relapse-neg.csv"),
    },
];

/// The example named `file`.
pub fn example(file: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|e| e.file == file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_labelled_simulated_and_binds_to_its_preset() {
        let reg = crate::model::Registry::builtin();
        for e in &EXAMPLES {
            assert!(e.csv.starts_with("# SIMULATED DATA"), "{}", e.file);
            let m = reg.parse(e.model).unwrap();
            let d = super::super::PatientData::parse(e.csv, e.unit, m).unwrap();
            assert!(d.bind(m, e.preset).unwrap().len() >= 9, "{}", e.file);
        }
        assert_eq!(example("nr.csv").unwrap().preset, "nr");
    }
}
