using System.Globalization;
using Gateway.Ssh.Crypto;
using Gateway.Ssh.Kex;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Transport;

namespace Gateway.Config;

/// <summary>
/// Turns the parsed tree into a <see cref="GatewayConfig"/>, collecting every problem instead of
/// stopping at the first. Each method reads one object and reports unknown keys in it.
/// </summary>
internal sealed partial class ConfigParser
{
    private static readonly string[] RootKeys =
    [
        "address", "insecure_server", "certificates", "ssh_address", "ssh_host_key_files", "ssh_host_keys",
        "ssh_user_ca_key_file", "data_dir", "runtime_flags", "ssh_kex_algorithms", "ssh_ciphers", "ssh_macs",
        "ssh_host_key_algorithms", "users", "trusted_user_ca_keys", "cluster", "routes", "akka",
        "upstream_pooled_connection_lifetime",
        "ssh_max_startups", "ssh_per_source_max_startups", "ssh_max_connections", "ssh_login_grace_time", "trusted_proxies",
        .. SignInKeys,
    ];

    private readonly List<ConfigProblem> _problems;
    private readonly string _baseDirectory;
    private readonly IReadOnlyDictionary<string, string> _environment;

    public ConfigParser(List<ConfigProblem> problems, string baseDirectory, IReadOnlyDictionary<string, string> environment)
    {
        _problems = problems;
        _baseDirectory = baseDirectory;
        _environment = environment;
    }

    private void Problem(string path, string message) => _problems.Add(new ConfigProblem(path.Length == 0 ? "(root)" : path, message));

    public GatewayConfig ParseRoot(ObjectNode root, Akka.Configuration.Config? akkaSection)
    {
        CheckKeys(root, RootKeys);
        var config = new GatewayConfig
        {
            Address = Address(root, "address", null) ?? new HostPort("127.0.0.1", 8443),
            InsecureServer = Bool(root, "insecure_server") ?? false,
            Certificates = Certificates(root),
            SshAddress = SshAddress(root),
            SshHostKeyFiles = StringList(root, "ssh_host_key_files")
                .Select(item => PrivateKeyFile(item.Node.Path, item.Text, "ssh host key file"))
                .ToList(),
            SshHostKeys = StringList(root, "ssh_host_keys").Select(item => InlineHostKey(item.Node.Path, item.Text)).ToList(),
            SshUserCaKeyFile = String(root, "ssh_user_ca_key_file") is { } ca
                ? PrivateKeyFile(ConfigNode.ChildPath("", "ssh_user_ca_key_file"), ca, "ssh user ca key file")
                : null,
            DataDir = DataDir(root),
            RuntimeFlags = RuntimeFlags(root),
            SshKexAlgorithms = Algorithms(root, "ssh_kex_algorithms", SshAlgorithmPreferences.DefaultKeyExchange, KeyExchangeAlgorithms.Supported),
            SshCiphers = Algorithms(root, "ssh_ciphers", SshAlgorithmPreferences.DefaultCiphers, CipherAlgorithms.SupportedCiphers),
            SshMacs = Algorithms(root, "ssh_macs", SshAlgorithmPreferences.DefaultMacs, CipherAlgorithms.SupportedMacs),
            SshHostKeyAlgorithms = Algorithms(root, "ssh_host_key_algorithms", SshAlgorithmPreferences.DefaultHostKey,
                SshAlgorithmPreferences.SupportedHostKeyAlgorithms),
            SshMaxStartups = MaxStartups(root) ?? SshMaxStartups.Default,
            SshPerSourceMaxStartups = Int(root, "ssh_per_source_max_startups", 1, 100_000) ?? 10,
            SshMaxConnections = Int(root, "ssh_max_connections", 1, 1_000_000) ?? 10_000,
            SshLoginGraceTime = LoginGraceTime(root) ?? TimeSpan.FromSeconds(120),
            Users = Users(root),
            TrustedUserCaKeys = StringList(root, "trusted_user_ca_keys")
                .Select(item => KeyLine(item.Node.Path, item.Text, AuthorizedKeyUse.CertificateAuthority))
                .OfType<AuthorizedKey>()
                .ToList(),
            Cluster = Cluster(root),
            Routes = Routes(root),
            TrustedProxies = TrustedProxies(root),
            SignIn = SignIn(root),
            UpstreamPooledConnectionLifetime = PositiveDuration(root, "upstream_pooled_connection_lifetime") ?? GatewayConfig.DefaultUpstreamPooledConnectionLifetime,
            AkkaOverrides = akkaSection,
        };
        return config;
    }

    // ---- generic readers ----------------------------------------------------------------

    private TimeSpan? PositiveDuration(ObjectNode node, string key)
    {
        var value = Duration(node, key);
        if (value == TimeSpan.Zero)
        {
            Problem(ConfigNode.ChildPath(node.Path, key), "must be greater than zero");
            return null;
        }
        return value;
    }

    internal void CheckKeys(ObjectNode node, IReadOnlyCollection<string> known)
    {
        foreach (var (key, value) in node.Entries)
        {
            if (known.Contains(key))
                continue;
            var suggestion = KeySuggestion.Closest(key, known);
            var hint = suggestion is null ? "" : $" (did you mean `{suggestion}`?)";
            Problem(value.Path, $"unknown key{hint}");
        }
    }

    private ConfigNode? Present(ObjectNode node, string key)
    {
        var value = node.Get(key);
        return value is ScalarNode { IsNull: true } ? null : value;
    }

    private static string TypeError(string expected, ConfigNode got) => $"expected {expected}, got {got.Describe()}";

    internal string? String(ObjectNode node, string key)
    {
        var value = Present(node, key);
        if (value is null)
            return null;
        if (value is ScalarNode scalar)
            return scalar.Text;
        Problem(value.Path, TypeError("a string", value));
        return null;
    }

    internal bool? Bool(ObjectNode node, string key)
    {
        var value = Present(node, key);
        if (value is null)
            return null;
        if (value is ScalarNode { Text: { } text })
        {
            switch (text)
            {
                case "true" or "yes" or "on":
                    return true;
                case "false" or "no" or "off":
                    return false;
            }
        }
        Problem(value.Path, TypeError("true or false", value));
        return null;
    }

    internal int? Int(ObjectNode node, string key, int min, int max)
    {
        var value = Present(node, key);
        if (value is null)
            return null;
        if (value is ScalarNode { Text: { } text }
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            && number >= min && number <= max)
            return (int)number;
        Problem(value.Path, TypeError($"an integer from {min} to {max}", value));
        return null;
    }

    internal TimeSpan? Duration(ObjectNode node, string key)
    {
        var value = Present(node, key);
        if (value is null)
            return null;
        if (value is ScalarNode { Text: { } text } && DurationParser.TryParse(text, out var duration))
            return duration;
        Problem(value.Path, TypeError("a duration such as \"30s\", \"1m30s\" or \"500ms\"", value));
        return null;
    }

    internal ObjectNode? Object(ObjectNode node, string key)
    {
        var value = Present(node, key);
        if (value is null)
            return null;
        if (value is ObjectNode obj)
            return obj;
        Problem(value.Path, TypeError("an object", value));
        return null;
    }

    internal IReadOnlyList<ConfigNode> List(ObjectNode node, string key)
    {
        var value = Present(node, key);
        if (value is null)
            return [];
        if (value is ListNode list)
            return list.Items;
        Problem(value.Path, TypeError("a list", value));
        return [];
    }

    internal IReadOnlyList<(ConfigNode Node, string Text)> StringList(ObjectNode node, string key)
    {
        var result = new List<(ConfigNode, string)>();
        foreach (var item in List(node, key))
        {
            if (item is ScalarNode { Text: { } text })
                result.Add((item, text));
            else
                Problem(item.Path, TypeError("a string", item));
        }
        return result;
    }

    // ---- root settings ------------------------------------------------------------------

    private HostPort? Address(ObjectNode node, string key, int? defaultPort)
    {
        var text = String(node, key);
        if (text is null)
            return null;
        if (HostPort.TryParse(text, defaultPort, out var value, out var error))
            return value;
        Problem(ConfigNode.ChildPath(node.Path, key), error);
        return null;
    }

    private SshMaxStartups? MaxStartups(ObjectNode root)
    {
        var text = String(root, "ssh_max_startups");
        if (text is null) return null;
        if (SshMaxStartups.TryParse(text, out var value, out var error)) return value;
        Problem(ConfigNode.ChildPath("", "ssh_max_startups"), $"{error}, got \"{text}\"");
        return null;
    }

    private TimeSpan? LoginGraceTime(ObjectNode root)
    {
        var value = Duration(root, "ssh_login_grace_time");
        if (value is null) return null;
        if (value > TimeSpan.Zero && value <= TimeSpan.FromHours(1)) return value;
        Problem(ConfigNode.ChildPath("", "ssh_login_grace_time"), $"must be more than 0 and at most 1h, got {value}");
        return null;
    }

    /// <summary>Addresses or CIDR ranges; host bits below the prefix are refused, as they usually mean a typo.</summary>
    private IReadOnlyList<System.Net.IPNetwork> TrustedProxies(ObjectNode root)
    {
        var result = new List<System.Net.IPNetwork>();
        foreach (var (node, text) in StringList(root, "trusted_proxies"))
        {
            if (Gateway.Ssh.IPNetworks.TryParseExact(text.Trim(), out var network))
                result.Add(network);
            else
                Problem(node.Path, $"expected an IP address or a CIDR range such as \"10.0.0.0/8\" (no bits set after the prefix), got \"{text}\"");
        }
        return result;
    }

    private HostPort? SshAddress(ObjectNode root)
    {
        if (Present(root, "ssh_address") is null)
            return new HostPort("127.0.0.1", 2222);
        var text = String(root, "ssh_address");
        if (text is not null && text.Trim().Length == 0)
            return null;
        return Address(root, "ssh_address", 22);
    }

    private string ResolvePath(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            if (_environment.TryGetValue("HOME", out var home) && home.Length > 0)
                path = home + path[1..];
        }
        return System.IO.Path.GetFullPath(path, _baseDirectory);
    }

    private string DataDir(ObjectNode root)
    {
        var text = String(root, "data_dir");
        if (text is not null)
        {
            if (text.Trim().Length == 0)
            {
                Problem("data_dir", "expected a directory path, got an empty string");
                return DefaultDataDir(_environment, _baseDirectory);
            }
            return ResolvePath(text);
        }
        return DefaultDataDir(_environment, _baseDirectory);
    }

    /// <summary>$XDG_DATA_HOME/gateway, else ~/.local/share/gateway, else ./.data.</summary>
    internal static string DefaultDataDir(IReadOnlyDictionary<string, string> environment, string baseDirectory)
    {
        if (environment.TryGetValue("XDG_DATA_HOME", out var xdg) && System.IO.Path.IsPathFullyQualified(xdg))
            return System.IO.Path.Combine(xdg, "gateway");
        if (environment.TryGetValue("HOME", out var home) && System.IO.Path.IsPathFullyQualified(home))
            return System.IO.Path.Combine(home, ".local", "share", "gateway");
        return System.IO.Path.GetFullPath(".data", baseDirectory);
    }

    private RuntimeFlags RuntimeFlags(ObjectNode root)
    {
        var node = Object(root, "runtime_flags");
        if (node is null)
            return new RuntimeFlags();
        CheckKeys(node, ["ssh_upstream_tunnel"]);
        return new RuntimeFlags(Bool(node, "ssh_upstream_tunnel") ?? true);
    }

    private IReadOnlyList<string> Algorithms(ObjectNode root, string key, IReadOnlyList<string> defaults, IReadOnlyList<string> known)
    {
        if (Present(root, key) is null)
            return defaults;
        var items = StringList(root, key);
        if (items.Count == 0 && Present(root, key) is ListNode)
            Problem(ConfigNode.ChildPath("", key), "expected at least one algorithm");
        var result = new List<string>();
        foreach (var (node, name) in items)
        {
            if (!known.Contains(name))
                Problem(node.Path, $"unknown algorithm \"{name}\" (known: {string.Join(", ", known)})");
            else if (result.Contains(name))
                Problem(node.Path, $"\"{name}\" is listed twice");
            else
                result.Add(name);
        }
        return result.Count > 0 ? result : defaults;
    }

    private IReadOnlyList<CertificatePair> Certificates(ObjectNode root)
    {
        var result = new List<CertificatePair>();
        foreach (var item in List(root, "certificates"))
        {
            if (item is not ObjectNode obj)
            {
                Problem(item.Path, TypeError("an object { cert = \"...\", key = \"...\" }", item));
                continue;
            }
            CheckKeys(obj, ["cert", "key"]);
            var cert = String(obj, "cert");
            var key = String(obj, "key");
            if (cert is null)
                Problem(ConfigNode.ChildPath(obj.Path, "cert"), "required: path of a PEM certificate file");
            if (key is null)
                Problem(ConfigNode.ChildPath(obj.Path, "key"), "required: path of a PEM private key file");
            if (cert is null || key is null)
                continue;
            var certPath = ResolvePath(cert);
            var keyPath = ResolvePath(key);
            var certOk = PemFile(ConfigNode.ChildPath(obj.Path, "cert"), certPath);
            var keyOk = PemFile(ConfigNode.ChildPath(obj.Path, "key"), keyPath);
            if (certOk && keyOk)
            {
                try
                {
                    using var loaded = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certPath, keyPath);
                }
                catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
                {
                    Problem(obj.Path, $"could not load the certificate and key: {ex.Message}");
                }
            }
            result.Add(new CertificatePair(certPath, keyPath));
        }
        return result;
    }

    /// <summary>Exists, is readable and contains a PEM block.</summary>
    private bool PemFile(string path, string file)
    {
        if (!File.Exists(file))
        {
            Problem(path, $"file not found: {file}");
            return false;
        }
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Problem(path, $"cannot read {file}: {ex.Message}");
            return false;
        }
        if (!text.Contains("-----BEGIN ", StringComparison.Ordinal) || !text.Contains("-----END ", StringComparison.Ordinal))
        {
            Problem(path, $"{file} is not a PEM file (no -----BEGIN ...----- block)");
            return false;
        }
        return true;
    }

    /// <summary>
    /// A readable, non-empty file that group and others cannot access (refused otherwise, like the
    /// SSH key files: the token is as much a key to the node as they are). The node reads the token
    /// itself at start; the config keeps only the path.
    /// </summary>
    private string StatusTokenFile(string path, string file)
    {
        var full = ResolvePath(file);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Problem(path, $"cannot read {full}: {ex.Message}");
            return full;
        }
        if (text.Trim().Length == 0)
            Problem(path, $"{full} is empty; write the token into it (for example: openssl rand -hex 32 > {full})");
        else if (OpenToOthers(full))
            Problem(path, $"invalid status token file {full}: permissions are too open (chmod 600)");
        return full;
    }

    /// <summary>PEM, and (as Pomerium requires) not readable by group or others.</summary>
    private string PrivateKeyFile(string path, string file, string what)
    {
        var full = ResolvePath(file);
        if (PemFile(path, full) && OpenToOthers(full))
            Problem(path, $"invalid {what} {full}: permissions are too open (chmod 600)");
        return full;
    }

    /// <summary>Group or others may access the file (never on Windows, which has no such modes).</summary>
    private static bool OpenToOthers(string file)
    {
        const UnixFileMode groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                          | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        return !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & groupOrOther) != 0;
    }

    private string InlineHostKey(string path, string text)
    {
        if (!text.Contains("-----BEGIN ", StringComparison.Ordinal) || !text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            Problem(path, "expected an inline PEM private key (-----BEGIN ... PRIVATE KEY-----)");
        return text.EndsWith('\n') ? text : text + "\n";
    }

    private AuthorizedKey? KeyLine(string path, string line, AuthorizedKeyUse use)
    {
        if (!AuthorizedKey.TryParse(line, out var key, out var error))
        {
            Problem(path, error);
            return null;
        }
        if (KeyLineRules.Refusal(key, use) is { } refusal)
        {
            Problem(path, refusal);
            return null;
        }
        return key;
    }

    // ---- users and cluster ---------------------------------------------------------------

    private IReadOnlyList<UserConfig> Users(ObjectNode root)
    {
        var result = new List<UserConfig>();
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in List(root, "users"))
        {
            if (item is not ObjectNode obj)
            {
                Problem(item.Path, TypeError("an object { email, name, groups, ssh_keys }", item));
                continue;
            }
            CheckKeys(obj, ["email", "name", "groups", "ssh_keys"]);
            var email = String(obj, "email");
            var emailPath = ConfigNode.ChildPath(obj.Path, "email");
            if (email is null)
                Problem(emailPath, "required: the user's email address");
            else if (!LooksLikeEmail(email))
                Problem(emailPath, $"expected an email address, got \"{email}\"");
            else if (seen.TryGetValue(email, out var first))
                Problem(emailPath, $"duplicate user \"{email}\" (also at {first})");
            else
                seen[email] = emailPath;
            var groups = StringList(obj, "groups").Select(g => g.Text).ToList();
            var keys = StringList(obj, "ssh_keys").Select(k => KeyLine(k.Node.Path, k.Text, AuthorizedKeyUse.UserKey)).OfType<AuthorizedKey>().ToList();
            result.Add(new UserConfig(email ?? "", String(obj, "name"), groups, keys));
        }
        return result;
    }

    private static bool LooksLikeEmail(string s)
    {
        var at = s.IndexOf('@');
        return at > 0 && at == s.LastIndexOf('@') && at < s.Length - 1 && !s.Any(char.IsWhiteSpace);
    }

    private GatewayClusterConfig? Cluster(ObjectNode root)
    {
        var node = Object(root, "cluster");
        if (node is null)
            return null;
        CheckKeys(node, ["hostname", "port", "seed_nodes", "relay_address", "relay_byte_path", "status_address", "status_token_file", "status_allowed_hosts", "drain_timeout", "tls", "insecure"]);
        var cluster = new GatewayClusterConfig();
        if (String(node, "hostname") is { } hostname)
        {
            if (hostname.Length == 0 || hostname.Any(c => char.IsWhiteSpace(c) || c is '/' or '@'))
                Problem(ConfigNode.ChildPath(node.Path, "hostname"), $"expected a host name or IP address, got \"{hostname}\"");
            else
                cluster = cluster with { Hostname = hostname };
        }
        if (Int(node, "port", 0, 65535) is { } port)
            cluster = cluster with { Port = port };
        var seeds = new List<string>();
        foreach (var (seedNode, text) in StringList(node, "seed_nodes"))
        {
            if (ValidateSeedNode(text) is { } error)
                Problem(seedNode.Path, error);
            else
                seeds.Add(text.Trim());
        }
        cluster = cluster with { SeedNodes = seeds };
        if (Address(node, "relay_address", null) is { } relay)
            cluster = cluster with { RelayAddress = relay };
        if (String(node, "relay_byte_path") is { } bytePath)
        {
            cluster = cluster with
            {
                RelayBytePath = bytePath switch
                {
                    "streams" => RelayBytePath.Streams,
                    "splice" => RelayBytePath.Splice,
                    _ => Invalid(ConfigNode.ChildPath(node.Path, "relay_byte_path"), $"expected \"streams\" or \"splice\", got \"{bytePath}\"", RelayBytePath.Streams),
                },
            };
        }
        if (String(node, "status_address") is { } statusText)
        {
            if (StatusAddress.TryParse(statusText, out var status, out var statusError))
                cluster = cluster with { StatusAddress = status };
            else
                Problem(ConfigNode.ChildPath(node.Path, "status_address"), statusError);
        }
        if (String(node, "status_token_file") is { } tokenFile)
            cluster = cluster with { StatusTokenFile = StatusTokenFile(ConfigNode.ChildPath(node.Path, "status_token_file"), tokenFile) };
        var allowedHosts = new List<string>();
        foreach (var (hostNode, text) in StringList(node, "status_allowed_hosts"))
        {
            if (StatusHosts.Normalize(text) is { } host)
                allowedHosts.Add(host);
            else
                Problem(hostNode.Path, $"expected a host name or address, optionally with :port (as in the Host header), got \"{text}\"");
        }
        cluster = cluster with { StatusAllowedHosts = allowedHosts };
        if (Duration(node, "drain_timeout") is { } drain)
        {
            if (DrainTimeouts.Check(drain) is { } error)
                Problem(ConfigNode.ChildPath(node.Path, "drain_timeout"), error);
            else
                cluster = cluster with { DrainTimeout = drain };
        }
        return ClusterTls(node, cluster);
    }

    /// <summary>Null when valid; otherwise what is wrong.</summary>
    internal static string? ValidateSeedNode(string text)
    {
        var s = text.Trim();
        var scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var at = s.IndexOf('@', scheme);
            if (!s.StartsWith("akka", StringComparison.Ordinal) || at < 0
                || !HostPort.TryParse(s[(at + 1)..].TrimEnd('/'), null, out var hp, out _) || hp!.Port == 0)
                return $"expected \"host:port\" or an Akka address such as \"akka.tcp://gateway@host:4053\", got \"{text}\"";
            return null;
        }
        if (!HostPort.TryParse(s, null, out var value, out _) || value!.Port == 0)
            return $"expected \"host:port\" (port 1-65535) or an Akka address, got \"{text}\"";
        return null;
    }
}
