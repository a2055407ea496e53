// Connection settings the demo server hands to the page. `./run demo --base-url URL
// --api-key KEY` serves a generated copy instead of this file, so a key reaches the
// page's memory without ever being put in a URL or in storage.
// null means: the page's own origin, and the bundled mock API's key.
export default { baseUrl: null, apiKey: null };
