//! Who a read is for; a leaf both the account policy (who may ask for a
//! preview) and the readers of stories use.

/// What a read returns: only what is public, or (for a preview) drafts,
/// scheduled and archived stories too. Who may ask for a preview is the
/// account policy's to say (`policy::audience`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Preview,
}
