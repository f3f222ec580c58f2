using Gateway.Ssh.Client;

namespace Gateway.Bench;

/// <summary>What every tunnel connection of the bench uses: one user key, one pinned host key.</summary>
public static class TunnelClientPool
{
    public static SshClientOptions Options(BenchArgs args) => new()
    {
        Username = args.Get("user", "tunnel"),
        Keys = [BenchKeys.LoadPrivate(args.Get("key"))],
        KnownHostKeys = [BenchKeys.LoadPublic(args.Get("host-key"))],
        ConnectTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>Connects, authenticates and asks for <c>-R 0</c>, as <c>ssh -N -R 0</c> does.</summary>
    public static async Task<SshClient> OpenTunnelAsync(string host, int port, SshClientOptions options, CancellationToken cancellationToken)
    {
        var client = await SshClient.ConnectAsync(host, port, options, cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            _ = await client.Connection.RequestRemoteForwardAsync("localhost", 0, timeout.Token)
                ?? throw new InvalidOperationException("the server refused -R 0");
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
