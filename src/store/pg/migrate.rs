//! Moving a whole memory between backends (`tmm migrate`): every table, row for row, ids
//! kept, so that an export of either gives the same bytes. SQLite to PostgreSQL goes by
//! `COPY … FROM STDIN (FORMAT binary)`; PostgreSQL to SQLite streams rows into one SQLite
//! transaction. The target must hold no memory yet.

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use rusqlite::types::Value;

use crate::error::{Error, Result};
use crate::store::Store;

/// The tables in an order that satisfies their foreign keys.
const TABLES: [&str; 14] = [
    "origin",
    "origin_prop",
    "origin_note",
    "unit",
    "variant",
    "text_dictionary",
    "prop",
    "note",
    "subsegment",
    "match_term",
    "match_recent",
    "match_dead",
    "match_state",
    "token",
];

/// What a migration moved: rows per table.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct MigrateSummary {
    pub tables: Vec<(String, u64)>,
}

/// The columns of `table` on the PostgreSQL side, with their types, in table order.
fn columns(tx: &mut postgres::Transaction, table: &str) -> Result<Vec<(String, Type)>> {
    let stmt = tx.prepare(&format!("SELECT * FROM {table} LIMIT 0"))?;
    Ok(stmt
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.type_().clone()))
        .collect())
}

fn quoted(columns: &[(String, Type)]) -> String {
    columns
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The SQLite columns to read for `columns`: variants' text and markup as text (SQLite may
/// hold them as frames, PostgreSQL holds them plain).
fn read_list(columns: &[(String, Type)]) -> String {
    columns
        .iter()
        .map(|(n, _)| match n.as_str() {
            "text" | "markup" => format!("tmm_text(\"{n}\")"),
            _ => format!("\"{n}\""),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A SQLite value as the PostgreSQL column type wants it.
fn to_pg(value: Value, ty: &Type) -> Box<dyn ToSql + Sync> {
    match (value, ty) {
        (Value::Null, t) if *t == Type::INT8 => Box::new(None::<i64>),
        (Value::Null, t) if *t == Type::FLOAT8 => Box::new(None::<f64>),
        (Value::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
        (Value::Null, _) => Box::new(None::<String>),
        (Value::Integer(i), t) if *t == Type::FLOAT8 => Box::new(i as f64),
        (Value::Integer(i), t) if *t == Type::TEXT => Box::new(i.to_string()),
        (Value::Integer(i), _) => Box::new(i),
        (Value::Real(r), _) => Box::new(r),
        (Value::Text(s), _) => Box::new(s),
        (Value::Blob(b), _) => Box::new(b),
    }
}

fn to_sqlite(row: &postgres::Row, i: usize, ty: &Type) -> Value {
    let v = if *ty == Type::INT8 {
        row.get::<_, Option<i64>>(i).map(Value::Integer)
    } else if *ty == Type::FLOAT8 {
        row.get::<_, Option<f64>>(i).map(Value::Real)
    } else if *ty == Type::BYTEA {
        row.get::<_, Option<Vec<u8>>>(i).map(Value::Blob)
    } else {
        row.get::<_, Option<String>>(i).map(Value::Text)
    };
    v.unwrap_or(Value::Null)
}

impl Store {
    /// Copies this whole memory into `target`, a store on the other backend that holds
    /// nothing yet, in one transaction on the target: either all of it arrives or nothing.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (`target`) when the target holds units or origins, or both
    /// stores are on the same backend; [`Error::Database`], [`Error::Postgres`].
    pub fn migrate_to(&self, target: &Store) -> Result<MigrateSummary> {
        if target.unit_count()? > 0 || !target.origins()?.is_empty() {
            return Err(Error::option(
                "target",
                "the target already holds a memory; migrate into an empty one",
            ));
        }
        match (self.postgres(), target.postgres()) {
            (None, Some(pg)) => self.read("migrate_to", |conn| {
                pg.write(None, |tx| {
                    let mut summary = MigrateSummary::default();
                    for table in TABLES {
                        let cols = columns(tx, table)?;
                        let types: Vec<Type> = cols.iter().map(|c| c.1.clone()).collect();
                        let list = quoted(&cols);
                        let sink = tx.copy_in(&format!(
                            "COPY {table} ({list}) FROM STDIN (FORMAT binary)"
                        ))?;
                        let mut w = BinaryCopyInWriter::new(sink, &types);
                        let mut stmt =
                            conn.prepare(&format!("SELECT {} FROM {table}", read_list(&cols)))?;
                        let mut rows = stmt.query([])?;
                        let mut n = 0;
                        while let Some(r) = rows.next()? {
                            let values: Vec<Box<dyn ToSql + Sync>> = types
                                .iter()
                                .enumerate()
                                .map(|(i, t)| Ok(to_pg(r.get::<_, Value>(i)?, t)))
                                .collect::<rusqlite::Result<_>>()?;
                            let refs: Vec<&(dyn ToSql + Sync)> =
                                values.iter().map(|v| v.as_ref()).collect();
                            w.write(&refs)?;
                            n += 1;
                        }
                        w.finish()?;
                        summary.tables.push((table.to_string(), n));
                    }
                    // Sub-segment ids are never reused: the sequence goes on past the copied.
                    tx.execute(
                        "SELECT setval(pg_get_serial_sequence('subsegment', 'id'),
                                coalesce((SELECT max(id) FROM subsegment), 0) + 1, false)",
                        &[],
                    )?;
                    Ok(summary)
                })
            }),
            (Some(pg), None) => pg.read(|tx| {
                target.write("migrate_to", |conn| {
                    let sqlite = conn.transaction()?;
                    let mut summary = MigrateSummary::default();
                    for table in TABLES {
                        let cols = columns(tx, table)?;
                        let list = quoted(&cols);
                        let placeholders: Vec<String> =
                            (1..=cols.len()).map(|i| format!("?{i}")).collect();
                        let mut insert = sqlite.prepare(&format!(
                            "INSERT INTO {table} ({list}) VALUES ({})",
                            placeholders.join(", ")
                        ))?;
                        let no_params: [&(dyn ToSql + Sync); 0] = [];
                        let mut rows =
                            tx.query_raw(&format!("SELECT {list} FROM {table}"), no_params)?;
                        let mut n = 0;
                        while let Some(r) = rows.next()? {
                            let values: Vec<Value> = cols
                                .iter()
                                .enumerate()
                                .map(|(i, (_, t))| to_sqlite(&r, i, t))
                                .collect();
                            insert.execute(rusqlite::params_from_iter(values))?;
                            n += 1;
                        }
                        summary.tables.push((table.to_string(), n));
                    }
                    sqlite.commit()?;
                    Ok(summary)
                })
            }),
            _ => Err(Error::option(
                "target",
                "both memories are on the same backend; copy the file, or use pg_dump",
            )),
        }
    }
}
