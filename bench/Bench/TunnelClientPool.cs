using Gateway.Ssh.Client;

namespace Gateway.Bench;

/// <summary>
/// What every tunnel connection of the bench uses: one user key, the pinned host keys (--host-key,
/// comma-separated files, one per node), and with --serve-port a static forward's local target.
/// </summary>
public static class TunnelClientPool
{
    public static SshClientOptions Options(BenchArgs args) => new()
    {
        Username = args.Get("user", "tunnel"),
        Keys = [BenchKeys.LoadPrivate(args.Get("key"))],
        KnownHostKeys = args.Get("host-key").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(BenchKeys.LoadPublic).ToList(),
        ConnectTimeout = TimeSpan.FromSeconds(20),
        Handler = args.GetInt("serve-port", 0) is > 0 and var target ? new StaticForwardHandler(target) : null,
    };

    /// <summary>The forward each connection asks for: --forward host:port, by default <c>-R 0</c> (localhost:0).</summary>
    public static (string Host, uint Port) Forward(BenchArgs args)
    {
        var forward = args.Get("forward", "localhost:0");
        var colon = forward.LastIndexOf(':');
        return (forward[..colon], uint.Parse(forward[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Connects, authenticates and asks for the forward (<c>-R 0</c> unless given), as <c>ssh -N -R</c> does.</summary>
    public static async Task<SshClient> OpenTunnelAsync(string host, int port, SshClientOptions options, CancellationToken cancellationToken,
        (string Host, uint Port)? forward = null)
    {
        var (bindHost, bindPort) = forward ?? ("localhost", 0u);
        var client = await SshClient.ConnectAsync(host, port, options, cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            _ = await client.Connection.RequestRemoteForwardAsync(bindHost, bindPort, timeout.Token)
                ?? throw new InvalidOperationException($"the server refused -R {bindHost}:{bindPort}");
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
