//! Writing many rows at once. A file of a million people cannot be imported one INSERT at a
//! time; rows are gathered into multi-row INSERTs (as many as the backends' limit on bound
//! values allows), and the ids of households and members are reserved up front so that their
//! members, needs and documents can refer to them in the same batches.

use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments, Row};

use crate::dialect::{OptionalF64, values_list};
use crate::query::dynamic;
use crate::{Backend, Result};

/// One value of a row. Nulls carry their type: PostgreSQL wants to know it.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(Some(v))
    }
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Self {
        Cell::Int(v)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Real(Some(v))
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(Some(v))
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(Some(v.to_owned()))
    }
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        Cell::Text(v)
    }
}

impl From<Option<&str>> for Cell {
    fn from(v: Option<&str>) -> Self {
        Cell::Text(v.map(str::to_owned))
    }
}

/// Bound values per statement: SQLite accepts 32,766 and PostgreSQL 65,535; a few thousand
/// already make the statements' own cost negligible.
const MAX_VALUES: usize = 4_000;

/// Rows for one table, written as multi-row INSERTs whenever enough have gathered.
pub(crate) struct Batch {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
    written: usize,
    /// Whether `push` writes a full statement's worth at once. Rows that refer to rows of
    /// another batch wait for an explicit `flush` instead, so that they are never written
    /// before what they refer to.
    eager: bool,
}

impl Batch {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Batch {
        Batch {
            table,
            columns,
            rows: Vec::new(),
            written: 0,
            eager: true,
        }
    }

    /// A batch written only when flushed (see `eager`).
    pub fn deferred(table: &'static str, columns: &'static [&'static str]) -> Batch {
        Batch {
            eager: false,
            ..Batch::new(table, columns)
        }
    }

    fn rows_per_statement(&self) -> usize {
        (MAX_VALUES / self.columns.len()).max(1)
    }

    /// Adds a row (its cells in the order of the columns), writing a full statement's worth.
    pub async fn push(&mut self, conn: &mut AnyConnection, row: Vec<Cell>) -> Result<()> {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.table);
        self.rows.push(row);
        if self.eager && self.rows.len() >= self.rows_per_statement() {
            self.flush(conn).await?;
        }
        Ok(())
    }

    /// Writes what has gathered, a statement's worth at a time. Returns how many rows this
    /// batch wrote in all.
    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<usize> {
        let per_statement = self.rows_per_statement();
        let mut rows = std::mem::take(&mut self.rows).into_iter();
        loop {
            // Moved, not copied, into the statement's arguments.
            let chunk: Vec<Vec<Cell>> = rows.by_ref().take(per_statement).collect();
            if chunk.is_empty() {
                break;
            }
            self.write(conn, chunk).await?;
        }
        Ok(self.written)
    }

    async fn write(&mut self, conn: &mut AnyConnection, rows: Vec<Vec<Cell>>) -> Result<()> {
        let width = self.columns.len();
        let count = rows.len();
        let backend = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table,
            self.columns.join(", "),
            values_list(backend, count, width)
        );
        let mut args = AnyArguments::default();
        args.reserve(count * width, 0);
        for row in rows {
            for cell in row {
                // Adding an i64, f64 or String (or their nulls) cannot fail: all are Any-native.
                let _ = match cell {
                    Cell::Int(v) => args.add(v),
                    Cell::Real(v) => args.add(OptionalF64(v)),
                    Cell::Text(v) => args.add(v),
                };
            }
        }
        // Table and column names are constants of this crate; every value is bound.
        sqlx::query_with(dynamic(sql), args).execute(&mut *conn).await?;
        self.written += count;
        Ok(())
    }
}

/// Reserves `n` ids of `table` (households or household_members) for rows the caller will
/// insert with explicit ids in the same transaction.
///
/// On PostgreSQL they come from the table's identity sequence, so that ordinary inserts never
/// collide with them. On SQLite the transaction first takes the database's write lock (a
/// no-op UPDATE), after which nobody else can insert until it commits, and the ids follow the
/// largest one in use. Call it before any read in the transaction: SQLite cannot upgrade a
/// read snapshot that another writer has moved past.
pub(crate) async fn reserve_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &'static str,
    n: usize,
) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match backend {
        Backend::Postgres => {
            let rows = sqlx::query(dynamic(format!(
                "SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, $1)"
            )))
            .bind(n as i64)
            .fetch_all(&mut *conn)
            .await?;
            rows.iter().map(|r| Ok(r.try_get::<i64, _>("id")?)).collect()
        }
        Backend::Sqlite => {
            sqlx::query(dynamic(format!("UPDATE {table} SET id = id WHERE id = -1")))
                .execute(&mut *conn)
                .await?;
            let max: i64 = sqlx::query(dynamic(format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}")))
                .fetch_one(&mut *conn)
                .await?
                .try_get("m")?;
            Ok((1..=n as i64).map(|i| max + i).collect())
        }
    }
}

/// Takes SQLite's write lock at the start of a transaction that will read before it writes
/// (see [`reserve_ids`]); nothing on PostgreSQL, whose transactions need no such care.
pub(crate) async fn lock_for_writing(conn: &mut AnyConnection, backend: Backend) -> Result<()> {
    if backend == Backend::Sqlite {
        sqlx::query("UPDATE households SET id = id WHERE id = -1")
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
