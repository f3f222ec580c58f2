using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Client;

/// <summary>Options for <see cref="SshClient"/>.</summary>
public sealed class SshClientOptions
{
    public required string Username { get; init; }

    /// <summary>Keys to try in order; an <c>SshCertifiedPrivateKey</c> authenticates with its certificate.</summary>
    public IReadOnlyList<SshPrivateKey> Keys { get; init; } = [];

    /// <summary>Answers keyboard-interactive prompts; null skips that method.</summary>
    public Func<KeyboardInteractivePrompt, ValueTask<string[]>>? KeyboardInteractive { get; init; }

    /// <summary>
    /// Host keys the server may present; the connection is refused for any other. Required unless
    /// <see cref="HostKeyVerifier"/> is set.
    /// </summary>
    public IReadOnlyCollection<SshPublicKey> KnownHostKeys { get; init; } = [];

    /// <summary>Custom host key check; overrides <see cref="KnownHostKeys"/>.</summary>
    public Func<SshPublicKey, bool>? HostKeyVerifier { get; init; }

    public SshAlgorithmPreferences? Algorithms { get; init; }
    public SshConnectionOptions Connection { get; init; } = new();

    /// <summary>Handles requests the server makes of us (e.g. forwarded-tcpip channels); null refuses them.</summary>
    public ISshConnectionHandler? Handler { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
