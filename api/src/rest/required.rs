//! Request bodies that create something share their fields with the bodies
//! that change it (PATCH), but some of those fields are then required. One
//! Rust type parses both; the document names each with its own schema, so
//! clients and contract tests see which fields a create needs.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Schema, SchemaType, Type};

/// `schema` with `fields` added to its required properties. A required
/// field may not be `null` either (the parser takes `null` for "absent").
pub fn requiring(schema: RefOr<Schema>, fields: &[&str]) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut object)) = schema else { return schema };
    for f in fields {
        if !object.required.iter().any(|r| r == f) {
            object.required.push((*f).to_owned());
        }
        if let Some(RefOr::T(Schema::Object(property))) = object.properties.get_mut(*f)
            && let SchemaType::Array(types) = &property.schema_type
        {
            let types: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
            property.schema_type = match types.as_slice() {
                [one] => SchemaType::Type(one.clone()),
                _ => SchemaType::Array(types),
            };
        }
    }
    RefOr::T(Schema::Object(object))
}

/// A body that may be left out (PATCH, publish) is declared `Option<T>`,
/// which utoipa renders as "T or null". Dateline takes a missing body as
/// `{}` but a JSON `null` is not an object, so the document says just T.
pub fn optional_bodies_are_not_null(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::OneOf;
    for item in api.paths.paths.values_mut() {
        let operations = [&mut item.put, &mut item.post, &mut item.patch, &mut item.delete];
        for op in operations.into_iter().flatten() {
            let Some(RefOr::T(body)) = op.request_body.as_mut() else { continue };
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else { continue };
                let Some(RefOr::T(Schema::OneOf(OneOf { items, .. }))) = &content.schema else { continue };
                let mut not_null = items.iter().filter(|s| !is_null(s));
                if let (Some(only), None) = (not_null.next(), not_null.next()) {
                    content.schema = Some(only.clone());
                }
            }
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

/// Declares `$name`, the schema of `$base` with `$fields` required.
macro_rules! create_body {
    ($(#[$doc:meta])* $name:ident = $base:ty, [$($field:literal),+]) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $crate::rest::required::requiring(<$base as utoipa::PartialSchema>::schema(), &[$($field),+])
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn schemas(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                <$base as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
pub(crate) use create_body;

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::schema::ObjectBuilder;

    #[test]
    fn required_fields_are_added_once_and_lose_null() {
        let nullable = ObjectBuilder::new().schema_type(SchemaType::Array(vec![Type::String, Type::Null]));
        let base = ObjectBuilder::new()
            .property("slug", ObjectBuilder::new().schema_type(Type::String))
            .property("name", nullable)
            .required("slug")
            .build();
        let RefOr::T(Schema::Object(o)) = requiring(RefOr::T(Schema::Object(base)), &["slug", "name"]) else {
            panic!("an object stays an object");
        };
        assert_eq!(o.required, vec!["slug".to_owned(), "name".to_owned()]);
        let Some(RefOr::T(Schema::Object(name))) = o.properties.get("name") else { panic!("name is kept") };
        assert!(name.schema_type == SchemaType::Type(Type::String), "name is no longer nullable");
    }
}
