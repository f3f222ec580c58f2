using System.Text.Json.Nodes;

namespace Gateway.Testing.SignIn;

/// <summary>
/// The steps one <see cref="HeadlessBrowser"/> run takes, in order (tests/signin/browser.mjs reads
/// them). Each step must pass within <see cref="StepTimeout"/>; the first that does not ends the run.
/// </summary>
public sealed class BrowserPlan
{
    private readonly List<JsonObject> _steps = [];

    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public int Count => _steps.Count;

    public BrowserPlan Goto(string url) => Add(new JsonObject { ["goto"] = url });

    /// <summary>
    /// Fills the identity provider's login form (inputs <c>login</c> and <c>password</c>) and
    /// submits it, waiting for the page it leads to. A refused login does not fail this step:
    /// follow it with <see cref="ExpectText"/> or <see cref="WaitForUrl"/>.
    /// </summary>
    public BrowserPlan Login(string user, string password) =>
        Add(new JsonObject { ["login"] = new JsonObject { ["user"] = user, ["password"] = password } });

    /// <summary>Clicks a Playwright selector and waits for the page to be loaded.</summary>
    public BrowserPlan Click(string selector) => Add(new JsonObject { ["click"] = selector });

    public BrowserPlan Fill(string selector, string value) =>
        Add(new JsonObject { ["fill"] = new JsonObject { ["selector"] = selector, ["value"] = value } });

    /// <summary>Waits until the page's URL contains <paramref name="substring"/>.</summary>
    public BrowserPlan WaitForUrl(string substring) =>
        Add(new JsonObject { ["waitForUrl"] = new JsonObject { ["substring"] = substring } });

    /// <summary>Waits until the page's URL matches a JavaScript regular expression.</summary>
    public BrowserPlan WaitForUrlMatching(string regex, string flags = "") =>
        Add(new JsonObject { ["waitForUrl"] = new JsonObject { ["regex"] = regex, ["flags"] = flags } });

    /// <summary>Waits until the page's text contains <paramref name="text"/>.</summary>
    public BrowserPlan ExpectText(string text) => Add(new JsonObject { ["expectText"] = text });

    /// <summary>Records the URL, the last navigation's HTTP status and the page's text under <paramref name="name"/>.</summary>
    public BrowserPlan Snapshot(string name) => Add(new JsonObject { ["snapshot"] = name });

    internal JsonObject ToJson(string? storageState) => new()
    {
        ["storageStateIn"] = storageState,
        ["storageStateOut"] = storageState,
        ["timeoutMs"] = (long)StepTimeout.TotalMilliseconds,
        ["steps"] = new JsonArray(_steps.Select(s => (JsonNode)s.DeepClone()).ToArray()),
    };

    private BrowserPlan Add(JsonObject step)
    {
        _steps.Add(step);
        return this;
    }
}
