//! The history the probe's handlers write (`flyer_probe_history`), and the invariants the
//! queue's fault-injection tests check on it.

use std::collections::{BTreeMap, HashMap};

/// One run of a handler: who ran which request, from when until when (no end: it was
/// stopped, at an await or with its process).
#[derive(Clone, Debug)]
pub struct Run {
    pub request: String,
    pub pid: u32,
    pub route: String,
    pub start: u64,
    pub end: Option<u64>,
}

/// Every run the history file records.
#[derive(Debug)]
pub struct History {
    pub runs: Vec<Run>,
}

impl History {
    /// Reads `path` (missing: no run yet).
    pub fn read(path: &std::path::Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut open: HashMap<(String, u32), usize> = HashMap::new();
        let mut runs: Vec<Run> = Vec::new();
        for line in text.lines() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [what, request, pid, at, route] = parts[..] else {
                continue;
            };
            let (pid, at): (u32, u64) = (pid.parse().unwrap(), at.parse().unwrap());
            match what {
                "start" => {
                    open.insert((request.to_owned(), pid), runs.len());
                    runs.push(Run {
                        request: request.to_owned(),
                        pid,
                        route: route.to_owned(),
                        start: at,
                        end: None,
                    });
                }
                "end" => {
                    if let Some(i) = open.remove(&(request.to_owned(), pid)) {
                        runs[i].end = Some(at);
                    }
                }
                _ => {}
            }
        }
        History { runs }
    }

    /// The runs of `request`.
    pub fn of(&self, request: &str) -> Vec<&Run> {
        self.runs.iter().filter(|r| r.request == request).collect()
    }

    /// The runs per request.
    pub fn by_request(&self) -> BTreeMap<&str, Vec<&Run>> {
        let mut out: BTreeMap<&str, Vec<&Run>> = BTreeMap::new();
        for run in &self.runs {
            out.entry(&run.request).or_default().push(run);
        }
        out
    }

    /// The most runs of routes `routes` under way at one instant (a run without an end
    /// counts until `open_until`).
    pub fn most_at_once(&self, routes: &[&str], open_until: u64) -> usize {
        let mut edges: Vec<(u64, i32)> = Vec::new();
        for run in self
            .runs
            .iter()
            .filter(|r| routes.contains(&r.route.as_str()))
        {
            edges.push((run.start, 1));
            edges.push((run.end.unwrap_or(open_until), -1));
        }
        // Ends before starts at the same millisecond: a permit handed over is not two.
        edges.sort_by_key(|(t, d)| (*t, *d));
        let (mut now, mut most) = (0i32, 0i32);
        for (_, d) in edges {
            now += d;
            most = most.max(now);
        }
        most as usize
    }
}
