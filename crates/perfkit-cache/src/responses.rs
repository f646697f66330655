//! HTTP responses in the cache: one index entry per URL key (its `Vary` fields and
//! the variants stored), and one entry per variant under `{key}\n{secondary key}`.
//! A URL keeps at most `max_variants` variants; the oldest goes first.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{HeaderMap, ACCEPT_LANGUAGE, VARY};
use http::StatusCode;

use crate::cache::{Cache, CacheError, Invalidated, Layer};
use crate::entry::Entry;
use crate::policy::{language_selects, secondary_key, vary_fields, Forward, StorePlan};
use crate::{Purge, Target};

/// Tag carried by URL index entries.
pub const VARY_INDEX_TAG: &str = "perfkit:vary-index";

/// A response found for a request.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// The variant's own key (for revalidation updates and purges).
    pub variant_key: String,
    pub entry: Arc<Entry>,
    /// The layer the variant came from.
    pub layer: Layer,
}

/// What to store for one response.
#[derive(Debug)]
pub struct ResponseToStore {
    pub status: StatusCode,
    pub plan: StorePlan,
    pub body: Bytes,
    pub request_time: SystemTime,
    pub response_time: SystemTime,
    pub tags: Vec<String>,
}

fn variant_key(key: &str, secondary: &str) -> String {
    let mut variant = String::with_capacity(key.len() + 1 + secondary.len());
    variant.push_str(key);
    variant.push('\n');
    variant.push_str(secondary);
    variant
}

/// Whether one part of a secondary key is the `Accept-Language` one.
fn is_language_part(part: &str) -> bool {
    part.strip_prefix(ACCEPT_LANGUAGE.as_str())
        .is_some_and(|rest| rest.starts_with('=') || rest == "!")
}

fn index_variants(index: &Entry) -> Vec<&str> {
    std::str::from_utf8(&index.body)
        .unwrap_or("")
        .split('\0')
        .filter(|s| !s.is_empty())
        .collect()
}

impl Cache {
    /// The stored variant of `key` matching `request`'s `Vary` fields (L1, then
    /// L2), or why there is none: [`Forward::UriMiss`] (nothing for the URL) or
    /// [`Forward::VaryMiss`] (other variants only).
    pub async fn lookup_response(
        &self,
        key: &str,
        request: &HeaderMap,
    ) -> Result<StoredResponse, Forward> {
        self.lookup_response_with(key, request, false).await
    }

    /// [`Cache::lookup_response`]; with `select_language`, a URL whose variants vary
    /// on `Accept-Language` and has none for the request's value is answered by a
    /// variant whose `Content-Language` the request selects
    /// ([`crate::policy::language_selects`]) and whose other `Vary` fields match.
    pub async fn lookup_response_with(
        &self,
        key: &str,
        request: &HeaderMap,
        select_language: bool,
    ) -> Result<StoredResponse, Forward> {
        let index = self.get(key).await.ok_or(Forward::UriMiss)?.entry;
        let fields = vary_fields(&index.headers).ok_or(Forward::VaryMiss)?;
        let secondary = secondary_key(&fields, request);
        let exact = variant_key(key, &secondary);
        if let Some(hit) = self.get(&exact).await {
            return Ok(StoredResponse {
                variant_key: exact,
                entry: hit.entry,
                layer: hit.layer,
            });
        }
        if !select_language || !fields.contains(&ACCEPT_LANGUAGE) {
            return Err(Forward::VaryMiss);
        }
        // The other fields' parts of the secondary key must be the same.
        let others = |secondary: &str| {
            secondary
                .split('\n')
                .filter(|part| !is_language_part(part))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let wanted = others(&secondary);
        // Newest first: the index lists variants oldest first.
        for stored in index_variants(&index).into_iter().rev() {
            if others(stored) != wanted {
                continue;
            }
            let variant_key = variant_key(key, stored);
            let Some(hit) = self.get(&variant_key).await else {
                continue;
            };
            if language_selects(&hit.entry.headers, request) {
                return Ok(StoredResponse {
                    variant_key,
                    entry: hit.entry,
                    layer: hit.layer,
                });
            }
        }
        Err(Forward::VaryMiss)
    }

    /// Stores a response (planned by [`crate::policy::plan_store`]) as the variant
    /// for `request`, updating the URL's index; keeps at most `max_variants`
    /// variants per URL. An L2 failure is returned after L1 was updated.
    pub async fn store_response(
        &self,
        key: &str,
        request: &HeaderMap,
        response: ResponseToStore,
        max_variants: usize,
    ) -> Result<Arc<Entry>, CacheError> {
        let ResponseToStore {
            status,
            plan,
            body,
            request_time,
            response_time,
            tags,
        } = response;
        let fields = vary_fields(&plan.headers).unwrap_or_default();
        let secondary = secondary_key(&fields, request);
        let mut vary_lines = HeaderMap::new();
        for value in plan.headers.get_all(VARY) {
            vary_lines.append(VARY, value.clone());
        }

        let previous = self.get(key).await.map(|hit| hit.entry);
        let mut variants: Vec<String> = Vec::new();
        let mut evicted: Vec<String> = Vec::new();
        if let Some(previous) = &previous {
            let same_vary = vary_fields(&previous.headers) == Some(fields.clone());
            for old in index_variants(previous) {
                if same_vary && old != secondary {
                    variants.push(old.to_owned());
                } else if old != secondary {
                    evicted.push(old.to_owned());
                }
            }
        }
        variants.push(secondary.clone());
        while variants.len() > max_variants.max(1) {
            evicted.push(variants.remove(0));
        }
        for old in evicted {
            self.invalidate(Target::Key(variant_key(key, &old)), Purge::Hard)
                .await;
        }

        let keep = plan.keep_for;
        let index_keep = previous
            .as_ref()
            .and_then(|p| p.remaining_ttl(self.now()))
            .map_or(keep, |left| left.max(keep));
        let index = Entry::response(
            StatusCode::OK,
            vary_lines,
            Bytes::from(variants.join("\0")),
            request_time,
            response_time,
        )
        .with_ttl(
            index_keep
                + (self
                    .now()
                    .duration_since(response_time)
                    .unwrap_or(Duration::ZERO)),
        )
        .with_tags(std::iter::once(VARY_INDEX_TAG.to_owned()).chain(tags.iter().cloned()));
        let entry = Entry::response(status, plan.headers, body, request_time, response_time)
            .with_ttl(keep)
            .with_variant(secondary.clone())
            .with_tags(tags);
        let index_result = self.set(key, index).await;
        let stored = self.set(&variant_key(key, &secondary), entry).await?;
        index_result?;
        Ok(stored)
    }

    /// Drops (or marks stale) a URL and every variant stored under it.
    pub async fn invalidate_url(&self, key: &str, purge: Purge) -> Invalidated {
        let variants = self
            .invalidate(Target::Prefix(format!("{key}\n")), purge)
            .await;
        let index = self.invalidate(Target::Key(key.to_owned()), purge).await;
        Invalidated {
            l1: variants.l1 + index.l1,
            l2: variants.l2.zip(index.l2).map(|(a, b)| a + b),
        }
    }
}
