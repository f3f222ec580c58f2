namespace Gateway.Config;

/// <summary>
/// Per-node settings given on the command line or in the environment. These differ between the
/// nodes of one cluster that share a config file; flags win over environment, which wins over the file.
/// </summary>
internal sealed class ConfigOverrides
{
    /// <summary>Flag → environment variable (null when the setting has no variable).</summary>
    public static readonly IReadOnlyList<(string Flag, string? Env)> Settings =
    [
        ("--address", "GATEWAY_ADDRESS"),
        ("--ssh-address", "GATEWAY_SSH_ADDRESS"),
        ("--data-dir", "GATEWAY_DATA_DIR"),
        ("--insecure-server", null),
        ("--cluster-hostname", "GATEWAY_CLUSTER_HOSTNAME"),
        ("--cluster-port", "GATEWAY_CLUSTER_PORT"),
        ("--seed-nodes", "GATEWAY_SEED_NODES"),
        ("--relay-address", "GATEWAY_RELAY_ADDRESS"),
        ("--status-address", "GATEWAY_STATUS_ADDRESS"),
        ("--drain-timeout", "GATEWAY_DRAIN_TIMEOUT"),
        ("--cluster-tls-ca", "GATEWAY_CLUSTER_TLS_CA"),
        ("--cluster-tls-cert", "GATEWAY_CLUSTER_TLS_CERT"),
        ("--cluster-tls-key", "GATEWAY_CLUSTER_TLS_KEY"),
        ("--cluster-insecure", "GATEWAY_CLUSTER_INSECURE"),
        ("--log-format", "GATEWAY_LOG_FORMAT"),
    ];

    public const string ConfigFlag = "--config";

    private readonly Dictionary<string, string> _flags = new(StringComparer.Ordinal);

    public string? ConfigPath { get; private set; }

    /// <summary>Reads "--flag value" and "--flag=value"; reports unknown flags and missing values.</summary>
    public static ConfigOverrides FromArgs(string[] args, List<ConfigProblem> problems)
    {
        var result = new ConfigOverrides();
        var known = Settings.Select(s => s.Flag).Append(ConfigFlag).ToList();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                problems.Add(new ConfigProblem(arg, "unexpected argument (options are written --name value)"));
                continue;
            }
            var eq = arg.IndexOf('=');
            var flag = eq < 0 ? arg : arg[..eq];
            string? value = eq < 0 ? null : arg[(eq + 1)..];
            if (!known.Contains(flag))
            {
                var suggestion = KeySuggestion.Closest(flag.TrimStart('-').Replace('-', '_'),
                    known.Select(k => k.TrimStart('-').Replace('-', '_')).ToList());
                var hint = suggestion is null ? "" : $" (did you mean `--{suggestion.Replace('_', '-')}`?)";
                problems.Add(new ConfigProblem(flag, $"unknown flag{hint}; known flags: {string.Join(", ", known)}"));
                continue;
            }
            if (flag is "--insecure-server" or "--cluster-insecure")
            {
                // A switch: present means true; "=false" turns it off explicitly.
                value ??= "true";
            }
            else if (value is null)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    problems.Add(new ConfigProblem(flag, "expected a value after the flag"));
                    continue;
                }
                value = args[++i];
            }
            if (flag == ConfigFlag)
                result.ConfigPath = value;
            else
                result._flags[flag] = value;
        }
        return result;
    }

    /// <summary>Applies environment then flags on top of the file's values.</summary>
    public GatewayConfig Apply(GatewayConfig config, IReadOnlyDictionary<string, string> environment,
        string baseDirectory, List<ConfigProblem> problems)
    {
        foreach (var (flag, env) in Settings)
        {
            if (env is not null && environment.TryGetValue(env, out var envValue) && envValue.Length > 0)
                config = ApplyOne(config, flag, env, envValue, baseDirectory, problems);
        }
        foreach (var (flag, _) in Settings)
        {
            if (_flags.TryGetValue(flag, out var flagValue))
                config = ApplyOne(config, flag, flag, flagValue, baseDirectory, problems);
        }
        return config;
    }

    private static GatewayConfig ApplyOne(GatewayConfig config, string flag, string source, string value,
        string baseDirectory, List<ConfigProblem> problems)
    {
        var cluster = config.Cluster ?? new GatewayClusterConfig();
        switch (flag)
        {
            case "--address":
                return HostPort.TryParse(value, null, out var address, out var error)
                    ? config with { Address = address! }
                    : Fail(error);
            case "--ssh-address":
                if (value.Trim().Length == 0)
                    return config with { SshAddress = null };
                return HostPort.TryParse(value, 22, out var ssh, out error) ? config with { SshAddress = ssh } : Fail(error);
            case "--data-dir":
                return config with { DataDir = Path.GetFullPath(value, baseDirectory) };
            case "--insecure-server":
                return value switch
                {
                    "true" => config with { InsecureServer = true },
                    "false" => config with { InsecureServer = false },
                    _ => Fail($"expected true or false, got \"{value}\""),
                };
            case "--cluster-hostname":
                if (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c is '/' or '@'))
                    return Fail($"expected a host name or IP address, got \"{value}\"");
                return config with { Cluster = cluster with { Hostname = value } };
            case "--cluster-port":
                return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
                    out var port) && port <= 65535
                    ? config with { Cluster = cluster with { Port = port } }
                    : Fail($"expected a port from 0 to 65535, got \"{value}\"");
            case "--seed-nodes":
                var seeds = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var bad = seeds.Select(ConfigParser.ValidateSeedNode).OfType<string>().ToList();
                if (bad.Count > 0)
                {
                    foreach (var message in bad)
                        problems.Add(new ConfigProblem(source, message));
                    return config;
                }
                return config with { Cluster = cluster with { SeedNodes = seeds } };
            case "--relay-address":
                return HostPort.TryParse(value, null, out var relay, out error)
                    ? config with { Cluster = cluster with { RelayAddress = relay } }
                    : Fail(error);
            case "--status-address":
                return StatusAddress.TryParse(value, out var status, out error)
                    ? config with { Cluster = cluster with { StatusAddress = status } }
                    : Fail(error);
            case "--drain-timeout":
                return DrainTimeouts.TryParseOverride(value, out var drain, out error)
                    ? config with { Cluster = cluster with { DrainTimeout = drain } }
                    : Fail(error);
            case "--cluster-tls-ca":
                return config with { Cluster = cluster with { TlsCaFile = Path.GetFullPath(value, baseDirectory) } };
            case "--cluster-tls-cert":
                return config with { Cluster = cluster with { TlsCertFile = Path.GetFullPath(value, baseDirectory) } };
            case "--cluster-tls-key":
                return config with { Cluster = cluster with { TlsKeyFile = Path.GetFullPath(value, baseDirectory) } };
            case "--cluster-insecure":
                return value switch
                {
                    "true" => config with { Cluster = cluster with { Insecure = true } },
                    "false" => config with { Cluster = cluster with { Insecure = false } },
                    _ => Fail($"expected true or false, got \"{value}\""),
                };
            case "--log-format":
                return LogFormats.TryParse(value, out var format)
                    ? config with { LogFormat = format }
                    : Fail($"expected {LogFormats.Names}, got \"{value}\"");
            default:
                throw new InvalidOperationException("unreachable: setting without a handler: " + flag);
        }

        GatewayConfig Fail(string message)
        {
            problems.Add(new ConfigProblem(source, message));
            return config;
        }
    }
}
