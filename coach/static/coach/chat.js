// The family chat: one WebSocket per conversation carrying messages and state as events.
// Text is inserted with textContent only, so nothing a person types can become markup.
(function () {
  "use strict";
  // Fit labels as a family reads them (the API keeps the keys of DESIGN.md §5).
  const FIT_WORDS = { open_admission: "open admission", no_data: "no admission data" };
  const chat = document.getElementById("chat");
  if (!chat) return;
  const list = document.getElementById("messages");
  const status = document.getElementById("chat-status");
  const errorBox = document.getElementById("chat-error");
  const busy = document.getElementById("busy");
  const draft = document.getElementById("reply-draft");
  const shortlist = document.getElementById("shortlist");
  const form = document.getElementById("composer");
  const input = document.getElementById("composer-text");
  const approvalBox = document.getElementById("approval");
  const listActions = document.getElementById("list-actions");
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  // The family page talks to its conversation; the staff page to the escalation it holds.
  const path = chat.dataset.wsUrl || `/ws/conversations/${chat.dataset.conversationId}/`;
  const url = `${scheme}://${window.location.host}${path}`;
  const sendType = chat.dataset.sendType || "message";
  let socket;
  let retryDelay = 500;

  // The coach's reply as a chat model writes it; "" hides it (the reply itself has come).
  function showDraft(text) {
    if (!draft) return;
    draft.querySelector("p").textContent = text;
    draft.hidden = !text;
    if (text) draft.scrollIntoView({ block: "end" });
  }

  function showMessage(message) {
    if (message.role === "coach") showDraft("");
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

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function collegeCard(college) {
    const card = el("article", `college-card fit-${college.fit}`);
    card.dataset.unitid = college.unitid;
    const header = el("header");
    const title = el("h2");
    if (college.url) {
      const link = el("a", "", college.name);
      link.href = college.url; // always an http(s) address: the server vets it
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      title.append(link);
    } else {
      title.textContent = college.name;
    }
    header.append(title, el("span", "fit", FIT_WORDS[college.fit] || college.fit));
    const price = college.net_price === null ? "No net price published"
      : `About $${college.net_price.toLocaleString("en-US")}/yr for you`;
    const rate = college.admission_rate === null ? ""
      : ` · admits ${Math.round(college.admission_rate * 100)}%`;
    const reasons = el("ul", "reasons");
    college.reasons.forEach((reason) => reasons.append(el("li", "", reason)));
    const form = el("form");
    form.method = "post";
    form.action = chat.dataset.saveUrl;
    const csrf = csrfInput();
    const unitid = el("input");
    Object.assign(unitid, { type: "hidden", name: "unitid", value: college.unitid });
    const save = el("button", "save", "Save to my list");
    save.type = "submit";
    form.append(csrf, unitid, save);
    card.append(header, el("p", "where", `${college.city}, ${college.state}`),
      el("p", "numbers", price + rate), reasons, form);
    return card;
  }

  function csrfInput() {
    const csrf = el("input");
    Object.assign(csrf, { type: "hidden", name: "csrfmiddlewaretoken", value: chat.dataset.csrf });
    return csrf;
  }

  // A write the coach proposed waits for the family's Approve or Decline (a plain form post).
  function showApproval(approval) {
    if (!approvalBox) return;
    approvalBox.hidden = !approval;
    if (!approval) {
      approvalBox.replaceChildren();
      return;
    }
    const form = el("form");
    form.method = "post";
    form.action = `${chat.dataset.approvalsUrl}${approval.id}/`;
    const choice = (value, className, label) => {
      const button = el("button", className, label);
      Object.assign(button, { type: "submit", name: "approve", value });
      return button;
    };
    form.append(csrfInput(), choice("yes", "approve", "Approve"),
      choice("no", "secondary decline", "Decline"));
    approvalBox.replaceChildren(el("p", "summary", approval.summary), form);
  }

  function showState(state) {
    state.messages.forEach(showMessage);
    busy.hidden = !state.busy;
    if (!state.busy) showDraft("");
    if (chat.dataset.saveUrl) shortlist.replaceChildren(...state.recommendations.map(collegeCard));
    if (listActions) listActions.hidden = state.recommendations.length === 0;
    showApproval(state.pending_approval);
    chat.dataset.phase = state.phase;
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
      else if (data.type === "state") showState(data.state);
      else if (data.type === "reply_draft") showDraft(data.text);
      else if (data.type === "error") showError(data.error.message);
    });
    socket.addEventListener("close", () => {
      chat.dataset.connected = "false";
      status.textContent = "Reconnecting…";
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    });
  }

  function send(text) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      showError("Not connected yet; your message was not sent.");
      return false;
    }
    showError("");
    socket.send(JSON.stringify({ type: sendType, text }));
    return true;
  }

  if (form) form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value.trim() && send(input.value)) input.value = "";
  });

  // "Save this list" and "E-mail me this list" say so in the chat, as the family could type it.
  if (listActions) listActions.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-say]");
    if (button) send(button.dataset.say);
  });

  connect();
})();
