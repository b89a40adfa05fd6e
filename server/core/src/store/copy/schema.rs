//! What the copy reads of each database's schema: its tables, and each table's columns with
//! their types as the copy keeps them (`Kind`), whichever way SQLite or PostgreSQL declares them;
//! and the one conversion between the two spellings (SQLite's 0/1 for PostgreSQL's booleans).

use super::super::{StoreError, Tx};

/// How a column's values are kept, whichever way the database spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Integer,
    Real,
    Text,
    Bytes,
    Boolean,
}

impl Kind {
    /// SQLite's declared type (`INTEGER`, `TEXT`, …) or PostgreSQL's `data_type` (`bigint`, …).
    pub(super) fn of(declared: &str) -> Option<Self> {
        match declared.to_ascii_lowercase().as_str() {
            "integer" | "bigint" | "int" | "smallint" => Some(Self::Integer),
            "real" | "double precision" => Some(Self::Real),
            "text" | "character varying" => Some(Self::Text),
            "blob" | "bytea" => Some(Self::Bytes),
            "boolean" => Some(Self::Boolean),
            _ => None,
        }
    }
}

/// One value on its way from the source to the target.
#[derive(Debug)]
pub(super) enum Value {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Boolean(Option<bool>),
}

impl Value {
    /// The value as the target keeps `kind`: the same, or SQLite's 0/1 for a boolean.
    pub(super) fn into_kind(self, kind: Kind) -> Option<Self> {
        Some(match (self, kind) {
            (Self::Integer(value), Kind::Integer) => Self::Integer(value),
            (Self::Real(value), Kind::Real) => Self::Real(value),
            (Self::Text(value), Kind::Text) => Self::Text(value),
            (Self::Bytes(value), Kind::Bytes) => Self::Bytes(value),
            (Self::Boolean(value), Kind::Boolean) => Self::Boolean(value),
            (Self::Integer(value), Kind::Boolean) => Self::Boolean(value.map(|value| value != 0)),
            (Self::Boolean(value), Kind::Integer) => Self::Integer(value.map(i64::from)),
            (Self::Integer(value), Kind::Real) => Self::Real(value.map(|value| value as f64)),
            _ => return None,
        })
    }
}

/// A column as one database declares it.
#[derive(Debug)]
pub(super) struct Column {
    pub name: String,
    pub kind: Kind,
    /// Its place in the primary key (1, 2, …), or 0.
    pub key: i64,
}

/// The database's tables, but the migrations' own.
pub(super) async fn tables(tx: &mut Tx) -> Result<Vec<String>, StoreError> {
    Ok(match tx {
        Tx::Sqlite(tx) => {
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                 AND name <> '_sqlx_migrations'",
            )
            .fetch_all(&mut **tx)
            .await?
        }
        Tx::Postgres(tx) => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'",
            )
            .fetch_all(&mut **tx)
            .await?
        }
    })
}

/// A table's columns as the database declares them, in its order.
pub(super) async fn columns(tx: &mut Tx, table: &str) -> Result<Vec<Column>, StoreError> {
    let declared: Vec<(String, String, i64)> = match tx {
        Tx::Sqlite(tx) => {
            sqlx::query_as("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut **tx)
                .await?
        }
        Tx::Postgres(tx) => {
            sqlx::query_as(
                "SELECT c.column_name::text, c.data_type::text, COALESCE(k.ordinal_position, 0)::bigint \
                 FROM information_schema.columns c LEFT JOIN ( \
                     SELECT u.column_name, u.ordinal_position FROM information_schema.table_constraints t \
                     JOIN information_schema.key_column_usage u ON u.constraint_name = t.constraint_name \
                         AND u.table_schema = t.table_schema AND u.table_name = t.table_name \
                     WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema() \
                         AND t.table_name = $1) k ON k.column_name = c.column_name \
                 WHERE c.table_schema = current_schema() AND c.table_name = $1 ORDER BY c.ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut **tx)
            .await?
        }
    };
    declared
        .into_iter()
        .map(|(name, declared, key)| match Kind::of(&declared) {
            Some(kind) => Ok(Column { name, kind, key }),
            None => Err(StoreError::CopyMismatch(format!("{table}.{name}: a column of type {declared} is not copied"))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Kind, Value};

    #[test]
    fn booleans_cross_between_the_two_spellings_and_nothing_else_converts() {
        assert!(matches!(Value::Integer(Some(1)).into_kind(Kind::Boolean), Some(Value::Boolean(Some(true)))));
        assert!(matches!(Value::Integer(Some(0)).into_kind(Kind::Boolean), Some(Value::Boolean(Some(false)))));
        assert!(matches!(Value::Boolean(Some(true)).into_kind(Kind::Integer), Some(Value::Integer(Some(1)))));
        assert!(matches!(Value::Boolean(None).into_kind(Kind::Integer), Some(Value::Integer(None))));
        assert!(Value::Text(Some("1".into())).into_kind(Kind::Integer).is_none());
        assert!(Value::Bytes(Some(vec![1])).into_kind(Kind::Text).is_none());
        assert_eq!(Kind::of("BIGINT"), Some(Kind::Integer));
        assert_eq!(Kind::of("double precision"), Some(Kind::Real));
        assert_eq!(Kind::of("jsonb"), None);
    }
}
