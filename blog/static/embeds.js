// Click-to-load embeds: nothing is asked of a video or audio provider until the reader clicks
// its poster. Without this script the poster is a plain link to the provider's page.
(function () {
  "use strict";
  // The players the site's Content-Security-Policy allows (frame-src); PeerTube instances too.
  function allowed(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "https:" && /\/(embed|player)\b/.test(parsed.pathname);
    } catch (error) {
      return false;
    }
  }
  document.querySelectorAll("a.embed-load[data-embed]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const player = link.dataset.embed;
      if (!allowed(player)) return;
      event.preventDefault();
      const frame = document.createElement("iframe");
      frame.src = player;
      frame.title = link.dataset.title || link.textContent;
      frame.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      link.replaceWith(frame);
      frame.focus();
    });
  });
})();
