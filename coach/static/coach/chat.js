// The family chat: one WebSocket per conversation carrying messages and state as events.
// Text is inserted with textContent only, so nothing a person types can become markup.
(function () {
  "use strict";
  const chat = document.getElementById("chat");
  if (!chat) return;
  const list = document.getElementById("messages");
  const status = document.getElementById("chat-status");
  const errorBox = document.getElementById("chat-error");
  const form = document.getElementById("composer");
  const input = document.getElementById("composer-text");
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const url = `${scheme}://${window.location.host}/ws/conversations/${chat.dataset.conversationId}/`;
  let socket;
  let retryDelay = 500;

  function showMessage(message) {
    if (list.querySelector(`[data-message-id="${message.id}"]`)) return;
    const item = document.createElement("li");
    item.className = `message ${message.role}`;
    item.dataset.messageId = message.id;
    const author = document.createElement("span");
    author.className = "author";
    author.textContent = message.role;
    const body = document.createElement("p");
    body.textContent = message.text;
    item.append(author, body);
    list.append(item);
    item.scrollIntoView({ block: "end" });
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function connect() {
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      status.textContent = "Connected";
      chat.dataset.connected = "true";
      retryDelay = 500;
    });
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "message") showMessage(data.message);
      else if (data.type === "state") data.state.messages.forEach(showMessage);
      else if (data.type === "error") showError(data.error.message);
    });
    socket.addEventListener("close", () => {
      chat.dataset.connected = "false";
      status.textContent = "Reconnecting…";
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      showError("Not connected yet; your message was not sent.");
      return;
    }
    showError("");
    socket.send(JSON.stringify({ type: "message", text }));
    input.value = "";
  });

  connect();
})();
