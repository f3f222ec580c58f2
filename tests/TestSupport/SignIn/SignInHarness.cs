namespace Gateway.Testing.SignIn;

/// <summary>
/// Finds the sign-in harness (<c>tests/signin</c>: an OpenID Connect provider and a headless
/// browser driver, both Node.js) and checks that what it needs is installed. A sign-in test on a
/// machine without it fails with the command that installs it: it never passes by skipping.
/// </summary>
public static class SignInHarness
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string InstallCommand = "scripts/install-test-deps";

    private static readonly Lazy<string> Located = new(Locate);

    /// <summary>The harness folder, after checking node, its packages and Chromium; throws otherwise.</summary>
    public static string Directory => Located.Value;

    public static string Script(string name) => Path.Combine(Directory, name);

    /// <summary>The repository root: the folder above the test's base directory holding Cluster.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln"))) return dir.FullName;
        throw new InvalidOperationException("no Cluster.sln above " + AppContext.BaseDirectory);
    }

    private static string Locate()
    {
        var root = RepositoryRoot();
        var dir = Path.Combine(root, "tests", "signin");
        var missing = new List<string>();
        if (!File.Exists(Path.Combine(dir, "package-lock.json")))
            missing.Add($"{dir}/package-lock.json (the harness itself)");
        if (!IsOnPath("node"))
            missing.Add("node (Node.js) on PATH");
        foreach (var package in new[] { "oidc-provider", "playwright-core" })
            if (!File.Exists(Path.Combine(dir, "node_modules", package, "package.json")))
                missing.Add($"tests/signin/node_modules/{package}");
        if (!File.Exists(ChromiumPath))
            missing.Add($"{ChromiumPath} (Debian package chromium)");
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"the sign-in test harness is not installed: missing {string.Join(", ", missing)}. " +
                $"Install it with `{InstallCommand}` run as root from {root} (it installs Debian's chromium, " +
                "Node.js when node is missing, and runs `npm ci --prefix tests/signin`).");
        return dir;
    }

    private static bool IsOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
