/*
 * A stand-in for Zendesk's ZAF SDK (zaf_sdk.min.js) for the /preview/zendesk page.
 *
 * It gives the real app the same client object Zendesk would: get/set/on/invoke/metadata/context/request.
 * Ticket data comes from the host page (the demo ticket it shows, in ZAF's shapes); requests go to this
 * sidecar with the demo installation's token where Zendesk would have put a ZAF-signed JWT. Nothing here
 * is used outside the preview.
 */
(function () {
  'use strict';

  var host = window.parent && window.parent.__preview;

  function walk(tree, path) {
    return path.split('.').reduce(function (node, key) {
      return node === undefined || node === null ? undefined : node[key];
    }, tree);
  }

  function substitute(value) {
    // Zendesk fills {{setting.x}} and {{jwt.token}} server-side; the preview has no secrets, only the demo token.
    if (typeof value !== 'string') return value;
    if (value.indexOf('{{jwt.token}}') !== -1) return 'Bearer ' + host.settings().token;
    return value.replace(/\{\{[^}]+\}\}/g, '');
  }

  function Client() {
    this._handlers = {};
    var client = this;
    host.register(function (name, data) { client.trigger(name, data); });
  }

  Client.prototype.get = function (paths) {
    var list = Array.isArray(paths) ? paths : [paths];
    var tree = host.zafData();
    var result = { errors: {} };
    list.forEach(function (path) {
      var value = walk(tree, path);
      if (value === undefined) result.errors[path] = { message: 'no such path in the preview: ' + path };
      else result[path] = value;
    });
    return Promise.resolve(result);
  };

  Client.prototype.set = function (path, value) {
    if (path === 'comment.text') host.insertReply(value, false);
    var result = {};
    result[path] = value;
    return Promise.resolve(result);
  };

  Client.prototype.invoke = function (name) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (name === 'resize') host.resize(args[0] || {});
    if (name === 'ticket.editor.insert' || name === 'comment.appendText') host.insertReply(args[0], true);
    return Promise.resolve({});
  };

  Client.prototype.on = function (name, handler) {
    (this._handlers[name] = this._handlers[name] || []).push(handler);
    if (name === 'app.registered') {
      var client = this;
      setTimeout(function () { handler.call(client, { metadata: host.metadata(), context: host.context() }); }, 0);
    }
  };

  Client.prototype.off = function (name, handler) {
    this._handlers[name] = (this._handlers[name] || []).filter(function (h) { return h !== handler; });
  };

  Client.prototype.has = function (name) { return Boolean((this._handlers[name] || []).length); };

  Client.prototype.trigger = function (name, data) {
    var client = this;
    (this._handlers[name] || []).forEach(function (handler) { handler.call(client, data); });
  };

  Client.prototype.metadata = function () { return Promise.resolve(host.metadata()); };
  Client.prototype.context = function () { return Promise.resolve(host.context()); };

  Client.prototype.request = function (options) {
    if (typeof options === 'string') options = { url: options };
    var headers = {};
    Object.keys(options.headers || {}).forEach(function (key) {
      var value = substitute(options.headers[key]);
      if (value) headers[key] = value;
    });
    if (!headers.Authorization) headers.Authorization = 'Bearer ' + host.settings().token;
    if (options.contentType) headers['Content-Type'] = options.contentType;
    var init = { method: (options.type || options.method || 'GET').toUpperCase(), headers: headers };
    if (options.data !== undefined && init.method !== 'GET') {
      init.body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
    }
    host.log(init.method + ' ' + options.url);
    return fetch(options.url, init).then(function (response) {
      return response.text().then(function (text) {
        var json;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = undefined; }
        if (response.ok) return json === undefined ? text : json;
        // ZAF rejects with a jqXHR-like object.
        return Promise.reject({ status: response.status, statusText: response.statusText,
                                responseText: text, responseJSON: json });
      });
    }, function () {
      return Promise.reject({ status: 0, statusText: 'error', responseText: '', responseJSON: undefined });
    });
  };

  window.ZAFClient = { init: function () { return new Client(); } };
})();
