//! The module's `BroadcastChannel`: stored records written in one realm (a
//! page, a worker, an iframe, another tab, another copy of this module in the
//! same Node process) are posted to every other realm of the same origin.
//! Absent where the platform has no `BroadcastChannel`; in Node the channel is
//! `unref`'d so it never keeps a process alive.

use std::cell::RefCell;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    /// The platform's `BroadcastChannel`, constructed by name in the glue
    /// (`new BroadcastChannel(name)`): the package's start sees every channel
    /// an instance opens, and closes them if the instance traps.
    type BroadcastChannel;

    #[wasm_bindgen(catch, constructor)]
    fn new(name: &str) -> Result<BroadcastChannel, JsValue>;
}

/// The channel's name; messages are `{ key, text }` with string members.
pub const CHANNEL_NAME: &str = "resources-client:records";

struct Channel {
    object: JsValue,
    post: Function,
    _handler: Closure<dyn Fn(JsValue)>,
}

thread_local! {
    static CHANNEL: RefCell<Option<Option<Channel>>> = const { RefCell::new(None) };
}

/// Opens the channel once (later calls do nothing); `received(key, text)` is
/// called for each well-formed message from another realm.
pub fn open(received: fn(String, JsValue)) {
    CHANNEL.with(|c| {
        if c.borrow().is_none() {
            let channel = create(received);
            *c.borrow_mut() = Some(channel);
        }
    });
}

fn create(received: fn(String, JsValue)) -> Option<Channel> {
    let object: JsValue = BroadcastChannel::new(CHANNEL_NAME).ok()?.into();
    let post: Function = Reflect::get(&object, &JsValue::from_str("postMessage")).ok()?.dyn_into().ok()?;
    let handler = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        let Ok(data) = Reflect::get(&event, &JsValue::from_str("data")) else { return };
        if !data.is_object() {
            return;
        }
        let key = Reflect::get(&data, &JsValue::from_str("key")).ok().and_then(|k| k.as_string());
        let text = Reflect::get(&data, &JsValue::from_str("text")).ok().filter(JsValue::is_string);
        if let (Some(key), Some(text)) = (key, text) {
            received(key, text);
        }
    });
    Reflect::set(&object, &JsValue::from_str("onmessage"), handler.as_ref()).ok()?;
    if let Ok(unref) = Reflect::get(&object, &JsValue::from_str("unref")) {
        if let Some(unref) = unref.dyn_ref::<Function>() {
            let _ = unref.call0(&object);
        }
    }
    Some(Channel { object, post, _handler: handler })
}

/// Posts a stored record to the other realms.
pub fn post(key: &str, text: &JsValue) {
    CHANNEL.with(|c| {
        if let Some(Some(channel)) = &*c.borrow() {
            let message = Object::new();
            let _ = Reflect::set(&message, &JsValue::from_str("key"), &JsValue::from_str(key));
            let _ = Reflect::set(&message, &JsValue::from_str("text"), text);
            // A closed or failing channel only loses the cross-realm notice.
            let _ = channel.post.call1(&channel.object, &message);
        }
    });
}
