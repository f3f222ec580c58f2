using Gateway.Ssh.Keys;
using Gateway.Ssh.Transport;

namespace Gateway.Config;

/// <summary>The whole validated configuration of one node. Option names follow Pomerium.</summary>
public sealed record GatewayConfig
{
    /// <summary><c>address</c>: HTTPS (or plain HTTP with <see cref="InsecureServer"/>) listener for routes.</summary>
    public HostPort Address { get; init; } = new("127.0.0.1", 8443);

    /// <summary><c>insecure_server</c>: serve <see cref="Address"/> as plain HTTP.</summary>
    public bool InsecureServer { get; init; }

    /// <summary><c>certificates</c>: TLS certificates; empty means a generated local CA.</summary>
    public IReadOnlyList<CertificatePair> Certificates { get; init; } = [];

    /// <summary><c>ssh_address</c>: the SSH listener; null when set to "" (SSH disabled).</summary>
    public HostPort? SshAddress { get; init; } = new("127.0.0.1", 2222);

    /// <summary><c>ssh_host_key_files</c>: absolute paths of PEM/OpenSSH private host keys.</summary>
    public IReadOnlyList<string> SshHostKeyFiles { get; init; } = [];

    /// <summary><c>ssh_host_keys</c>: inline private host keys (PEM text, newline-terminated).</summary>
    public IReadOnlyList<string> SshHostKeys { get; init; } = [];

    /// <summary><c>ssh_user_ca_key_file</c>: private key that signs certificates for SSH routes.</summary>
    public string? SshUserCaKeyFile { get; init; }

    /// <summary><c>data_dir</c>: where generated keys and certificates are kept (absolute path).</summary>
    public string DataDir { get; init; } = "";

    public RuntimeFlags RuntimeFlags { get; init; } = new();

    public IReadOnlyList<string> SshKexAlgorithms { get; init; } = SshAlgorithmPreferences.DefaultKeyExchange;

    public IReadOnlyList<string> SshCiphers { get; init; } = SshAlgorithmPreferences.DefaultCiphers;

    public IReadOnlyList<string> SshMacs { get; init; } = SshAlgorithmPreferences.DefaultMacs;

    public IReadOnlyList<string> SshHostKeyAlgorithms { get; init; } = SshAlgorithmPreferences.DefaultHostKey;

    /// <summary><c>ssh_max_startups</c>: random early drop of unauthenticated SSH connections (OpenSSH MaxStartups).</summary>
    public SshMaxStartups SshMaxStartups { get; init; } = SshMaxStartups.Default;

    /// <summary><c>ssh_per_source_max_startups</c>: unauthenticated SSH connections from one address at most.</summary>
    public int SshPerSourceMaxStartups { get; init; } = 10;

    /// <summary><c>ssh_max_connections</c>: open SSH connections at most, authenticated or not (more are closed on accept).</summary>
    public int SshMaxConnections { get; init; } = 10_000;

    /// <summary><c>ssh_login_grace_time</c>: from accept to authenticated (OpenSSH LoginGraceTime).</summary>
    public TimeSpan SshLoginGraceTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary><c>users</c>: the embedded identity source.</summary>
    public IReadOnlyList<UserConfig> Users { get; init; } = [];

    /// <summary>Sign-in through an OpenID Connect provider (<c>idp_provider</c> and its keys); null: sign-in is off.</summary>
    public SignInConfig? SignIn { get; init; }

    /// <summary><c>trusted_user_ca_keys</c>: CAs whose OpenSSH user certificates identify users (principal = email).</summary>
    public IReadOnlyList<AuthorizedKey> TrustedUserCaKeys { get; init; } = [];

    /// <summary><c>cluster</c>: per-node cluster settings; null means a one-node cluster on loopback.</summary>
    public GatewayClusterConfig? Cluster { get; init; }

    public IReadOnlyList<RouteConfig> Routes { get; init; } = [];

    public static readonly TimeSpan DefaultUpstreamPooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>
    /// <c>upstream_pooled_connection_lifetime</c>: a pooled upstream connection (over a tunnel: one
    /// channel) is retired after this long, so that endpoints that joined later get traffic soon.
    /// </summary>
    public TimeSpan UpstreamPooledConnectionLifetime { get; init; } = DefaultUpstreamPooledConnectionLifetime;

    /// <summary>
    /// <c>trusted_proxies</c>: peers (addresses or CIDR ranges) whose X-Forwarded-*, X-Real-IP and
    /// Forwarded headers are kept and appended to; from any other peer they are replaced by what
    /// the gateway saw. Empty by default: every peer is a client.
    /// </summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];

    /// <summary><c>--log-format</c> / <c>GATEWAY_LOG_FORMAT</c>: how the console log is written.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Simple;

    /// <summary>The root <c>akka { ... }</c> block, passed through unvalidated to the actor system
    /// (e.g. failure-detector settings); null when absent.</summary>
    public global::Akka.Configuration.Config? AkkaOverrides { get; init; }
}

/// <summary>One <c>certificates</c> entry: absolute paths of a PEM certificate (chain) and its key.</summary>
public sealed record CertificatePair(string Cert, string Key);

/// <summary><c>runtime_flags</c>. Unlike Pomerium, <c>ssh_upstream_tunnel</c> defaults to true:
/// reverse tunnels are what this gateway is for.</summary>
public sealed record RuntimeFlags(bool SshUpstreamTunnel = true);

/// <summary>One <c>users</c> entry.</summary>
public sealed record UserConfig(
    string Email,
    string? Name,
    IReadOnlyList<string> Groups,
    IReadOnlyList<AuthorizedKey> SshKeys);

/// <summary>The <c>cluster</c> block (per-node settings, usually overridden by flags or environment).</summary>
public sealed record GatewayClusterConfig
{
    /// <summary>The longest <see cref="DrainTimeout"/> accepted: a drain is meant to take seconds.</summary>
    public static readonly TimeSpan MaxDrainTimeout = TimeSpan.FromHours(1);

    /// <summary><c>hostname</c>: the address other nodes reach this node's cluster transport on.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary><c>port</c>: cluster transport port; 0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary><c>seed_nodes</c>: each "host:port" or a full Akka address ("akka.tcp://system@host:port",
    /// "akka.ssl.tcp://..." with <c>tls</c>).
    /// Empty means this node seeds itself.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary><c>relay_address</c>: listener for node-to-node tunnel bytes; null picks hostname:0.</summary>
    public HostPort? RelayAddress { get; init; }

    /// <summary><c>relay_byte_path</c>: <c>"streams"</c> (default) or <c>"splice"</c>; see <see cref="Config.RelayBytePath"/>.</summary>
    public RelayBytePath RelayBytePath { get; init; } = RelayBytePath.Streams;

    /// <summary><c>status_address</c>: plain-HTTP listener for /healthz, /readyz, /status and POST /drain;
    /// null means none. A port alone binds loopback (<see cref="Config.StatusAddress"/>).</summary>
    public HostPort? StatusAddress { get; init; }

    /// <summary><c>status_token_file</c>: file holding the bearer token that /status and POST /drain
    /// require (trimmed; private to the node's user). <c>GATEWAY_STATUS_TOKEN</c> wins over it.
    /// Null and no environment token: those two paths answer 403.</summary>
    public string? StatusTokenFile { get; init; }

    /// <summary><c>status_allowed_hosts</c>: Host header values /status and POST /drain accept besides
    /// the listener's own addresses and loopback names (lower case; <c>name</c> or <c>name:port</c>).</summary>
    public IReadOnlyList<string> StatusAllowedHosts { get; init; } = [];

    /// <summary><c>drain_timeout</c>: upper bound on a graceful drain's wait for in-flight requests
    /// (SIGTERM or <c>POST /drain</c>); docs/cluster.md.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary><c>tls.ca_file</c>: PEM certificate of the cluster CA; peers must present a certificate it issued.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary><c>tls.cert_file</c>: PEM certificate this node presents to peers (issued by the cluster CA).</summary>
    public string? TlsCertFile { get; init; }

    /// <summary><c>tls.key_file</c>: PEM private key of <see cref="TlsCertFile"/> (mode 0600).</summary>
    public string? TlsKeyFile { get; init; }

    /// <summary><c>insecure</c>: allow a cluster address other hosts can reach without <c>tls</c>.</summary>
    public bool Insecure { get; init; }

    /// <summary>The three <c>tls</c> files when all are set (the loader refuses a partial set); null means plaintext.</summary>
    public ClusterTlsFiles? Tls => TlsCaFile is { } ca && TlsCertFile is { } cert && TlsKeyFile is { } key
        ? new ClusterTlsFiles(ca, cert, key)
        : null;

    /// <summary>The Akka protocol of this cluster's addresses: <c>akka.ssl.tcp</c> with <c>tls</c>, else <c>akka.tcp</c>.</summary>
    public string AkkaProtocol => Tls is null ? "akka.tcp" : "akka.ssl.tcp";

    /// <summary>Seed nodes as Akka addresses for the given actor system name.</summary>
    public IReadOnlyList<string> SeedNodeAddresses(string actorSystemName) =>
        SeedNodes.Select(s => s.Contains("://", StringComparison.Ordinal) ? s : $"{AkkaProtocol}://{actorSystemName}@{s}").ToList();
}

/// <summary><c>cluster.tls</c>: absolute paths of the cluster CA certificate, this node's certificate and its key (PEM).</summary>
public sealed record ClusterTlsFiles(string CaFile, string CertFile, string KeyFile);
