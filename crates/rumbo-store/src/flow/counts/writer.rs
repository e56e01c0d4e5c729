//! The writer of a count import: observations created once each, groups stored as compact
//! sets, and the rollup of what it wrote added to the stored rollups in large steps.

use std::collections::{HashMap, HashSet};

use rumbo_domain::Vocabulary;
use rumbo_domain::flow::AgeBrackets;
use rumbo_domain::flow::compact::encode_group;
use rumbo_domain::flow::counts::{CountGroup, ObservationKey, Rollup, format_time};
use sqlx::AnyConnection;

use super::writes::{GroupSet, add_rollup, insert_group_sets, insert_observations};
use super::{CountReport, RejectedRow};
use crate::{Backend, Result};

/// Writes checked groups chunk by chunk, remembering the observations it created.
pub(super) struct Writer<'b> {
    backend: Backend,
    brackets: &'b AgeBrackets,
    observations: HashMap<ObservationKey, i64>,
    /// Observations found already stored: every row of theirs is refused.
    conflicts: HashSet<ObservationKey>,
    pub(super) report: CountReport,
    /// The rollup of the groups written since the last flush. Rollups are added to the stored
    /// ones every [`FLUSH_GROUPS`] groups, not every chunk: adding a breakdown reads back and
    /// rewrites the stored values of every point and day it touches, and a file not in date
    /// order touches most of them in every chunk (a shuffled 300,000-row file took 36 s instead
    /// of 3 s when each chunk was added on its own).
    pending: Rollup,
    pending_groups: usize,
}

/// Groups rolled up in memory before they are added to the stored rollups: a few tens of
/// megabytes of rollup at most.
const FLUSH_GROUPS: usize = 250_000;

impl<'b> Writer<'b> {
    pub(super) fn new(backend: Backend, brackets: &'b AgeBrackets) -> Self {
        Writer {
            backend,
            brackets,
            observations: HashMap::new(),
            conflicts: HashSet::new(),
            report: CountReport::default(),
            pending: Rollup::default(),
            pending_groups: 0,
        }
    }

    /// Adds what is still pending to the stored rollups; called once every chunk is written.
    pub(super) async fn finish(&mut self, conn: &mut AnyConnection) -> Result<()> {
        let rollup = std::mem::take(&mut self.pending);
        self.pending_groups = 0;
        if rollup.is_empty() {
            return Ok(());
        }
        add_rollup(conn, self.backend, &rollup, self.brackets).await
    }

    pub(super) fn reject(&mut self, row: usize, problems: Vec<(String, String)>) {
        for (column, reason) in problems {
            self.report.rejected.push(RejectedRow { row, column, reason });
        }
    }

    pub(super) async fn write(
        &mut self,
        conn: &mut AnyConnection,
        chunk: &mut Vec<(usize, CountGroup)>,
        recorded_by: Option<i64>,
    ) -> Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        // New observations of this chunk; those already stored come back missing.
        let mut new_keys: Vec<ObservationKey> = Vec::new();
        let mut seen = HashSet::new();
        // A file lists an observation's groups one after another: the look-ups below are made
        // once per run of rows of the same observation, not for each row.
        let mut last = None;
        for (_, g) in chunk.iter() {
            let key = g.key();
            if last.replace(key) == Some(key) {
                continue;
            }
            if !self.observations.contains_key(&key) && !self.conflicts.contains(&key) && seen.insert(key) {
                new_keys.push(key);
            }
        }
        let created = insert_observations(conn, self.backend, &new_keys, recorded_by).await?;
        for key in &new_keys {
            match created.get(key) {
                Some(id) => {
                    self.observations.insert(*key, *id);
                }
                None => {
                    self.conflicts.insert(*key);
                }
            }
        }
        let mut rollup = std::mem::take(&mut self.pending);
        // The chunk's groups in their stored form, one set per observation, in file order.
        let mut sets: Vec<GroupSet> = Vec::new();
        let mut set_of: HashMap<i64, usize> = HashMap::new();
        let fresh: HashSet<ObservationKey> = created.keys().copied().collect();
        let mut counted: HashSet<ObservationKey> = HashSet::new();
        let mut refused = Vec::new();
        let mut groups_of_run: Vec<&CountGroup> = Vec::new();
        // A file lists an observation's groups one after another: each run of rows of the same
        // observation is decided, rolled up and encoded together.
        for run in chunk.chunk_by(|a, b| a.1.key() == b.1.key()) {
            let first = &run[0].1;
            let key = first.key();
            if self.conflicts.contains(&key) {
                let reason = format!(
                    "an observation on {} from {} ({} h, {}) at this point is already recorded",
                    first.date,
                    first.start_minute.map_or("an unstated time".to_owned(), format_time),
                    first.hours,
                    first.direction.code()
                );
                for (row, _) in run {
                    refused.push((*row, vec![("date".to_owned(), reason.clone())]));
                }
                continue;
            }
            let Some(&id) = self.observations.get(&key) else {
                continue;
            };
            groups_of_run.clear();
            groups_of_run.extend(run.iter().map(|(_, g)| g));
            rollup.add_observation(&groups_of_run, fresh.contains(&key) && counted.insert(key));
            let index = *set_of.entry(id).or_insert(sets.len());
            if index == sets.len() {
                sets.push(GroupSet {
                    observation_id: id,
                    groups: 0,
                    people: 0,
                    text: String::new(),
                });
            }
            let set = &mut sets[index];
            for (_, g) in run {
                set.groups += 1;
                set.people += i64::from(g.size);
                encode_group(&mut set.text, g);
            }
        }
        for (row, problems) in refused {
            self.reject(row, problems);
        }
        insert_group_sets(conn, self.backend, &sets).await?;
        let (groups, people) = sets.iter().fold((0, 0), |(n, p), s| (n + s.groups, p + s.people));
        self.pending = rollup;
        self.pending_groups += groups as usize;
        if self.pending_groups >= FLUSH_GROUPS {
            self.finish(conn).await?;
        }
        self.report.valid += groups as usize;
        self.report.observations += counted.len();
        self.report.people += people;
        chunk.clear();
        Ok(())
    }
}
