using System.Text.Json.Serialization;

namespace Gateway.Testing.SignIn;

/// <summary>What a <see cref="HeadlessBrowser"/> run ended with (tests/signin/browser.mjs's output).</summary>
/// <param name="Status">HTTP status of the last main-frame navigation's final response, if any.</param>
/// <param name="Text">The final page's text (innerText of its body).</param>
public sealed record BrowserResult(
    bool Ok,
    string? Error,
    string? FinalUrl,
    int? Status,
    string Text,
    IReadOnlyDictionary<string, BrowserSnapshot> Snapshots,
    IReadOnlyList<BrowserCookie> Cookies)
{
    /// <summary>The driver's standard error (Playwright and Chromium messages), for failure messages.</summary>
    [JsonIgnore]
    public string Diagnostics { get; init; } = "";

    /// <summary>Throws with the failing step, the page and the driver's messages unless every step passed.</summary>
    public BrowserResult EnsureOk()
    {
        if (!Ok) throw new InvalidOperationException($"browser run failed: {Error}\nat {FinalUrl} (status {Status}): {Text}\n{Diagnostics}");
        return this;
    }

    public override string ToString() => $"ok={Ok} error={Error} url={FinalUrl} status={Status}\n{Text}";
}

public sealed record BrowserSnapshot(string Url, int? Status, string Text);

/// <param name="Expires">Unix time in seconds; -1 for a session cookie.</param>
public sealed record BrowserCookie(string Name, string Domain, string Path, bool Secure, bool HttpOnly, double Expires);
