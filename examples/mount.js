// A host that builds the configuration in JavaScript. The module's top-level await
// finishes loading the app before `mount` is callable.
import { mount } from "/merchant-console.js";

const target = document.getElementById("console-here");
const button = document.getElementById("toggle");
let widget = null;

function show() {
  widget = mount(target, {
    sections: ["history"],
    laterpayRegion: "eu-sandbox",
    config: "/config.json",
    theme: "dark",
    compact: true,
    instance: "scripted",
  });
  button.textContent = "Remove the widget";
}

button.addEventListener("click", () => {
  if (widget) {
    widget.unmount();
    widget = null;
    button.textContent = "Show the widget";
  } else {
    show();
  }
});
show();
