using Gateway.Policy;
using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace Gateway.Config;

/// <summary>
/// Loads and validates the node configuration: the HOCON file (or the embedded default
/// <c>config.hocon</c>), then environment variables, then command-line flags.
/// Every problem found is reported together in one <see cref="ConfigException"/>.
/// </summary>
public static partial class GatewayConfigLoader
{
    public const string EmbeddedResourceName = "config.hocon";
    public const string EmbeddedSourceName = "embedded config.hocon";

    /// <summary>
    /// Loads the configuration for one node. <paramref name="path"/> null (and no <c>--config</c>
    /// flag) means the embedded default. A relative <c>--config</c> (or <c>--data-dir</c>) names a
    /// path from <paramref name="workingDirectory"/>, the directory the command was run in (the
    /// process's working directory when null). Relative paths inside a file resolve against the
    /// file's directory; for the embedded default, against the working directory.
    /// </summary>
    /// <exception cref="ConfigException">with every problem found.</exception>
    public static GatewayConfig Load(string? path, IReadOnlyDictionary<string, string> environment, string[] args,
        string? workingDirectory = null)
    {
        workingDirectory ??= Directory.GetCurrentDirectory();
        var problems = new List<ConfigProblem>();
        var overrides = ConfigOverrides.FromArgs(args, problems);
        var configPath = overrides.ConfigPath ?? path;

        string text;
        string source;
        string baseDirectory;
        if (configPath is null)
        {
            text = ReadEmbeddedDefault();
            source = EmbeddedSourceName;
            baseDirectory = workingDirectory;
        }
        else
        {
            var full = Path.GetFullPath(configPath, workingDirectory);
            source = full;
            baseDirectory = Path.GetDirectoryName(full) ?? workingDirectory;
            if (!File.Exists(full))
            {
                problems.Add(new ConfigProblem(overrides.ConfigPath is null ? "config" : ConfigOverrides.ConfigFlag,
                    $"file not found: {full}"));
                throw new ConfigException(source, problems);
            }
            text = File.ReadAllText(full);
        }

        var config = ParseInto(text, baseDirectory, environment, problems);
        if (config is not null)
            config = overrides.Apply(config, environment, workingDirectory, problems);
        if (config is not null)
        {
            var checks = new ConfigParser(problems, baseDirectory, environment);
            checks.CheckClusterSecurity(config);
            checks.CheckSignIn(config);
        }
        if (problems.Count > 0 || config is null)
            throw new ConfigException(source, problems);
        return config;
    }

    /// <summary>Parses and validates HOCON text without overrides (tests, tools).</summary>
    /// <exception cref="ConfigException">with every problem found.</exception>
    public static GatewayConfig Parse(string hocon, string? baseDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var problems = new List<ConfigProblem>();
        var config = ParseInto(hocon, baseDirectory ?? Directory.GetCurrentDirectory(),
            environment ?? new Dictionary<string, string>(), problems);
        if (config is not null)
        {
            var checks = new ConfigParser(problems, baseDirectory ?? Directory.GetCurrentDirectory(), environment ?? new Dictionary<string, string>());
            checks.CheckClusterSecurity(config);
            checks.CheckSignIn(config);
        }
        if (problems.Count > 0 || config is null)
            throw new ConfigException("text", problems);
        return config;
    }

    /// <summary>
    /// Parses one PPL policy written in HOCON — an object such as
    /// <c>{ allow { or = [{ email { is = "a@b.c" } }] } }</c> or a list of them — with the same
    /// structural checks as a route's <c>policy</c>. For the policy layer's tests and tools.
    /// </summary>
    /// <exception cref="ConfigException">with every problem found (paths start at <c>policy</c>).</exception>
    public static PolicyNode ParsePolicy(string ppl)
    {
        var problems = new List<ConfigProblem>();
        PolicyNode? policy = null;
        try
        {
            var parsed = ConfigurationFactory.ParseString("policy = " + ppl + "\n");
            if (ConfigNode.FromHocon(parsed.Root, "") is ObjectNode root && root.Get("policy") is { } node
                && node is not ScalarNode { IsNull: true })
                policy = new ConfigParser(problems, Directory.GetCurrentDirectory(), new Dictionary<string, string>()).Policy(node);
            else
                problems.Add(new ConfigProblem("policy", "expected a policy object or list"));
        }
        catch (Exception ex)
        {
            problems.Add(new ConfigProblem("(syntax)", DescribeSyntaxError(ppl, ex)));
        }
        if (problems.Count > 0 || policy is null)
            throw new ConfigException("policy", problems);
        return policy;
    }

    /// <summary>The text of the repository's <c>config.hocon</c>, embedded in this assembly.</summary>
    public static string ReadEmbeddedDefault()
    {
        using var stream = typeof(GatewayConfigLoader).Assembly.GetManifestResourceStream(EmbeddedResourceName)
                           ?? throw new InvalidOperationException("config.hocon is not embedded in " +
                                                                  typeof(GatewayConfigLoader).Assembly.GetName().Name);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The process environment as the dictionary <see cref="Load"/> takes.</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && entry.Value is string value)
                result[key] = value;
        }
        return result;
    }

    private static GatewayConfig? ParseInto(string text, string baseDirectory,
        IReadOnlyDictionary<string, string> environment, List<ConfigProblem> problems)
    {
        Akka.Configuration.Config parsed;
        try
        {
            parsed = ConfigurationFactory.ParseString(text);
        }
        catch (Exception ex)
        {
            // Any failure inside the third-party parser is a problem with the file's syntax;
            // it is reported like every other problem rather than crashing start-up.
            problems.Add(new ConfigProblem("(syntax)", DescribeSyntaxError(text, ex)));
            return null;
        }

        if (parsed.Root is null || parsed.IsEmpty)
            return new ConfigParser(problems, baseDirectory, environment).ParseRoot(new ObjectNode("", []), null);

        var tree = ConfigNode.FromHocon(parsed.Root, "");
        if (tree is not ObjectNode root)
        {
            problems.Add(new ConfigProblem("(root)", "expected an object at the top of the file"));
            return null;
        }
        var akka = root.Get("akka") is ObjectNode ? parsed.GetConfig("akka") : null;
        var config = new ConfigParser(problems, baseDirectory, environment).ParseRoot(root, akka);
        if (config is not null) CheckPolicies(config, problems);
        return config;
    }

    /// <summary>Compiles every route's <c>policy</c> and <c>ssh_policy</c> so that a bad criterion stops the node at start.</summary>
    private static void CheckPolicies(GatewayConfig config, List<ConfigProblem> problems)
    {
        for (var i = 0; i < config.Routes.Count; i++)
        {
            var route = config.Routes[i];
            Check(route.Policy, $"routes[{i}].policy");
            Check(route.UpstreamTunnel?.SshPolicy, $"routes[{i}].upstream_tunnel.ssh_policy");
        }

        void Check(PolicyNode? node, string path)
        {
            try
            {
                Gateway.Policy.PolicyCompiler.Compile(node, path);
            }
            catch (Gateway.Policy.PolicyParseException ex)
            {
                problems.Add(new ConfigProblem(ex.Path, ex.Detail));
            }
        }
    }

    [GeneratedRegex(@"position (\d+)")]
    private static partial Regex PositionPattern();

    /// <summary>Akka reports a character offset; operators want a line and column, and a hint for
    /// the two mistakes this parser is strict about.</summary>
    private static string DescribeSyntaxError(string text, Exception ex)
    {
        var firstLine = ex.Message.Split('\n')[0].Trim().TrimEnd(':', '.');
        var match = PositionPattern().Match(ex.Message);
        if (match.Success && int.TryParse(match.Groups[1].Value, out var position) && position <= text.Length)
        {
            var line = 1 + text.AsSpan(0, position).Count('\n');
            var column = position - text.LastIndexOf('\n', Math.Max(0, position - 1));
            var before = text[..Math.Min(position + 1, text.Length)].TrimEnd();
            var hint = before.EndsWith(',') && before[..^1].TrimEnd().EndsWith('}')
                ? ". After `key { ... }` start the next key on a new line, or write `key = { ... },`"
                : "";
            return $"{firstLine} (line {line}, column {column}){hint}";
        }
        if (firstLine.Contains("unquoted text", StringComparison.Ordinal))
            return $"{firstLine}. Quote values that contain ':' or '/', such as URLs";
        return firstLine;
    }
}
