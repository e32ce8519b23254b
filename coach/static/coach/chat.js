// The chat (the family's page and the counselor's desk): one WebSocket per conversation carrying
// messages and state as events; buttons post with fetch and the page updates in place.
// Text is inserted with textContent only, so nothing a person types can become markup.
(function () {
  "use strict";
  // Fit labels as a family reads them (the API keeps the keys of DESIGN.md §5).
  const FIT_WORDS = { open_admission: "open admission", no_data: "no admission data" };
  // The composer shows a count once a message gets this close to the limit.
  const COUNT_FROM = 0.8;
  const chat = document.getElementById("chat");
  if (!chat) return;
  const $ = (id) => document.getElementById(id);
  const list = $("messages");
  // The family page scrolls its conversation in a panel; the counselor desk scrolls the page.
  const log = $("log");
  const status = $("chat-status");
  const errorBox = $("chat-error");
  const busy = $("busy");
  const draft = $("reply-draft");
  const shortlist = $("shortlist");
  const form = $("composer");
  const input = $("composer-text");
  const count = $("composer-count");
  const approvalBox = $("approval");
  const listActions = $("list-actions");
  const announcer = $("announcer");
  const maxChars = Number(chat.dataset.maxChars || 4000);
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  // The family page talks to its conversation; the staff page to the escalation it holds.
  const path = chat.dataset.wsUrl || `/ws/conversations/${chat.dataset.conversationId}/`;
  const url = `${scheme}://${window.location.host}${path}`;
  const sendType = chat.dataset.sendType || "message";
  let socket;
  let retryDelay = 500;
  // What was last sent, given back to the composer if the server refuses it (nothing is lost).
  let lastSent = "";

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    // A fresh text node is announced even when the words repeat.
    window.setTimeout(() => { announcer.textContent = text; }, 50);
  }

  function scrollToNewest() {
    if (log) log.scrollTop = log.scrollHeight;
    else list.lastElementChild?.scrollIntoView({ block: "end" });
  }

  // The coach's reply as a chat model writes it; "" hides it (the reply itself has come).
  function showDraft(text) {
    if (!draft) return;
    draft.querySelector("p").textContent = text;
    draft.hidden = !text;
    if (text) scrollToNewest();
  }

  function showMessage(message) {
    if (message.role === "coach") showDraft("");
    if (message.role === "family") lastSent = ""; // stored: nothing to give back
    if (list.querySelector(`[data-message-id="${message.id}"]`)) return;
    const item = el("li", `message ${message.role}`);
    item.dataset.messageId = message.id;
    item.append(el("span", "author", message.role), el("p", "", message.text));
    list.append(item);
    scrollToNewest();
  }

  function hiddenText(text) {
    return el("span", "visually-hidden", text);
  }

  function collegeCard(college) {
    const card = el("article", `college-card fit-${college.fit}`);
    card.dataset.unitid = college.unitid;
    const header = el("header");
    const title = el("h3");
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
    const why = el("details", "why");
    const reasons = el("ul", "reasons");
    college.reasons.forEach((reason) => reasons.append(el("li", "", reason)));
    why.append(el("summary", "", "Why this college"), reasons);
    const save = el("form");
    save.method = "post";
    save.action = chat.dataset.saveUrl;
    const unitid = el("input");
    Object.assign(unitid, { type: "hidden", name: "unitid", value: college.unitid });
    const button = el("button", "save", "Save");
    button.type = "submit";
    button.append(hiddenText(` ${college.name}`), " to my list");
    save.append(csrfInput(), unitid, button);
    card.append(header, el("p", "where", `${college.city}, ${college.state}`),
      el("p", "numbers", price + rate), why, save);
    return card;
  }

  function csrfInput() {
    const csrf = el("input");
    Object.assign(csrf, { type: "hidden", name: "csrfmiddlewaretoken", value: chat.dataset.csrf });
    return csrf;
  }

  // A write the coach proposed waits for the family's Approve or Decline.
  function showApproval(approval) {
    if (!approvalBox) return;
    const shown = approvalBox.dataset.approvalId || "";
    approvalBox.hidden = !approval;
    if (!approval) {
      approvalBox.replaceChildren();
      delete approvalBox.dataset.approvalId;
      return;
    }
    if (shown === approval.id) return; // keep focus on its buttons while it waits
    approvalBox.dataset.approvalId = approval.id;
    const decide = el("form");
    decide.method = "post";
    decide.action = `${chat.dataset.approvalsUrl}${approval.id}/`;
    const choice = (value, className, label) => {
      const button = el("button", className, label);
      Object.assign(button, { type: "submit", name: "approve", value });
      return button;
    };
    decide.append(csrfInput(), choice("yes", "approve", "Approve"),
      choice("no", "secondary decline", "Decline"));
    // The coach's message just above says what it proposes; the box only asks for the answer.
    approvalBox.replaceChildren(el("p", "summary", chat.dataset.approvalPrompt), decide);
    announce(chat.dataset.approvalPrompt);
  }

  function timeOfDay(iso) {
    return new Date(iso).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  // Who has the conversation when it is not the coach, and what the family can still do.
  function showPhase(state) {
    const phase = state.phase;
    const handoffStatus = $("handoff-status");
    const escalation = state.escalation;
    if (handoffStatus) {
      let text = "";
      if (phase === "escalated" && escalation && escalation.counselor) {
        text = `${escalation.counselor} from the counseling team is with you.`;
      } else if (phase === "escalated") {
        text = escalation && escalation.first_reply_due
          ? `A counselor has been asked to join; expect them by ${timeOfDay(escalation.first_reply_due)}.`
          : "A counselor has been asked to join.";
      }
      handoffStatus.textContent = text;
      handoffStatus.hidden = !text;
    }
    const handoffForm = $("handoff-form");
    if (handoffForm) handoffForm.hidden = phase === "escalated" || phase === "closed";
    const closedNote = $("closed-note");
    if (closedNote) closedNote.hidden = phase !== "closed";
    if (form && chat.dataset.conversationId) form.hidden = phase === "closed";
    if (chat.dataset.phase && chat.dataset.phase !== phase && phase === "closed") {
      announce("This conversation is now closed.");
    }
    chat.dataset.phase = phase;
  }

  function showShortlist(recommendations) {
    if (!chat.dataset.saveUrl) return;
    const hadList = shortlist.children.length > 0;
    const shown = [...shortlist.children].map((card) => card.dataset.unitid).join(",");
    const next = recommendations.map((college) => String(college.unitid)).join(",");
    if (shown !== next) shortlist.replaceChildren(...recommendations.map(collegeCard));
    const some = recommendations.length > 0;
    if (listActions) listActions.hidden = !some;
    const empty = $("shortlist-empty");
    if (empty) empty.hidden = some;
    const jump = $("to-shortlist");
    if (jump) jump.hidden = !some;
    const counter = $("shortlist-count");
    if (counter) counter.textContent = recommendations.length;
    if (some && !hadList) announce(`${recommendations.length} colleges that fit are listed beside the chat.`);
  }

  function showState(state) {
    state.messages.forEach(showMessage);
    busy.hidden = !state.busy;
    if (!state.busy) showDraft("");
    showShortlist(state.recommendations);
    showApproval(state.pending_approval);
    showPhase(state);
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
      else if (data.type === "error") {
        showError(data.error.message);
        // A refused message was not stored: the family's words go back in the box. (A failed
        // turn is different: its message is stored and will be answered.)
        if (data.error.code !== "turn_failed" && input && !input.value && lastSent) {
          input.value = lastSent;
        }
        lastSent = "";
        updateCount();
      }
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
    lastSent = text;
    socket.send(JSON.stringify({ type: sendType, text }));
    return true;
  }

  function updateCount() {
    if (!count || !input) return;
    const length = input.value.length;
    const near = length >= maxChars * COUNT_FROM;
    count.textContent = near ? `${length.toLocaleString("en-US")} of ${maxChars.toLocaleString("en-US")} characters` : "";
    count.classList.toggle("over", length > maxChars);
  }

  if (form) {
    // Empty or too-long text goes to the server too: its answer says what is wrong, in the same
    // words the API uses, and the text comes back to the box.
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (send(input.value)) input.value = "";
      updateCount();
      input.focus();
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", updateCount);
  }

  // "Save this list" and "E-mail me this list" say so in the chat, as the family could type it.
  if (listActions) listActions.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-say]");
    if (button) send(button.dataset.say);
  });

  // The page's buttons (save a college, approve or decline, ask for a counselor) post with fetch
  // and say what happened; what changes in the conversation arrives over the socket.
  async function post(formElement, submitter) {
    const body = new FormData(formElement);
    if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    const response = await fetch(formElement.action, {
      method: "POST",
      body,
      headers: { Accept: "application/json", "X-CSRFToken": chat.dataset.csrf },
      credentials: "same-origin",
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((answer.error && answer.error.message) || "That did not work; try again.");
    return answer.message || "";
  }

  async function undoSave(unitid, button) {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", chat.dataset.csrf);
    const response = await fetch(`${chat.dataset.unsaveUrl}${unitid}/remove/`, {
      method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    if (!response.ok) throw new Error("The college could not be removed; try again.");
    button.disabled = false;
    button.textContent = "Save";
    const card = button.closest(".college-card");
    const name = card.querySelector("h3").textContent;
    button.append(hiddenText(` ${name}`), " to my list");
    card.querySelector(".undo")?.remove();
    button.focus();
    announce(`Removed ${name} from My list.`);
  }

  chat.addEventListener("submit", async (event) => {
    const target = event.target;
    // The family page only: the counselor desk's forms are plain posts.
    if (!chat.dataset.conversationId || target === form || target.closest("#closed-note")) return;
    event.preventDefault();
    const submitter = event.submitter;
    if (submitter) submitter.disabled = true;
    try {
      const said = await post(target, submitter);
      showError("");
      if (submitter && submitter.classList.contains("save")) {
        const card = submitter.closest(".college-card");
        submitter.textContent = "Saved";
        const undo = el("button", "link undo", "Undo");
        undo.type = "button";
        undo.addEventListener("click", () => undoSave(card.dataset.unitid, submitter)
          .catch((error) => showError(error.message)));
        submitter.after(undo);
        undo.focus();
      } else if (submitter) {
        submitter.disabled = false;
        if (input && !form.hidden) input.focus();
      }
      announce(said);
    } catch (error) {
      if (submitter) submitter.disabled = false;
      showError(error.message);
    }
  });

  scrollToNewest();
  connect();
})();
