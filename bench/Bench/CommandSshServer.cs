using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Ssh;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Server;
using Gateway.Ssh.Transport;

namespace Gateway.Bench;

/// <summary>
/// Our SSH server (src/Ssh) with two exec commands, the counterparts of what sshd runs in the
/// channel throughput rows: <c>generate N</c> writes N bytes (like <c>head -c N /dev/zero</c>)
/// and <c>sink</c> reads stdin to EOF (like <c>cat &gt; /dev/null</c>) and prints the count.
/// Writes its host public key to --host-key-out for the client's known_hosts.
/// </summary>
public static class CommandSshServer
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var port = args.GetInt("port");
        var authorized = BenchKeys.LoadPublic(args.Get("authorized-key"));
        var hostKey = SshKeys.Generate(SshKeyKind.Ed25519);
        await File.WriteAllTextAsync(args.Get("host-key-out"), SshKeys.FormatAuthorizedKey(hostKey.PublicKey) + "\n", cancellationToken);
        var options = new SshServerOptions
        {
            Transport = new SshTransportOptions { HostKeys = [hostKey], Algorithms = new SshAlgorithmPreferences() },
            Authentication = new SshServerAuthOptions { Authenticator = new SingleKeyAuthenticator(authorized) },
        };
        await using var server = new SshServer(options, new Sessions());
        server.Start(new IPEndPoint(IPAddress.Loopback, port));
        Console.WriteLine($"ssh-server ready port={server.LocalEndPoint.Port}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private sealed class SingleKeyAuthenticator(SshPublicKey key) : ISshServerAuthenticator
    {
        public IReadOnlyList<string> GetMethods(SshAuthState state) => [SshAuthMethods.PublicKey];

        public ValueTask<AuthDecision> AuthenticatePublicKeyAsync(PublicKeyAuthContext context, CancellationToken ct)
            => ValueTask.FromResult(context.Certificate is null && context.Key.Equals(key) ? AuthDecision.Success() : AuthDecision.Failure);

        public ValueTask<AuthDecision> AuthenticateKeyboardInteractiveAsync(KeyboardInteractiveContext context, CancellationToken ct)
            => ValueTask.FromResult(AuthDecision.Failure);
    }

    private sealed class Sessions : ISshSessionHandler
    {
        public ISshConnectionHandler CreateConnectionHandler(SshAuthenticatedUser user, SshTransport transport) => new Commands();

        public Task OnSessionStartedAsync(SshServerSession session, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class Commands : ISshConnectionHandler
    {
        public ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request)
            => ValueTask.FromResult(request.Type == ChannelOpenRequest.Session ? ChannelOpenDecision.Accept() : ChannelOpenDecision.Refuse());

        public ValueTask<bool> OnChannelRequestAsync(SshChannel channel, ChannelRequest request)
        {
            if (request is not ExecRequest exec) return ValueTask.FromResult(request is EnvRequest);
            _ = Task.Run(() => RunAsync(channel, exec.Command));
            return ValueTask.FromResult(true);
        }

        private static async Task RunAsync(SshChannel channel, string command)
        {
            try
            {
                uint status = 0;
                var parts = command.Split(' ', 2, StringSplitOptions.TrimEntries);
                switch (parts[0])
                {
                    case "generate":
                        var remaining = long.Parse(parts[1], CultureInfo.InvariantCulture);
                        var block = new byte[256 * 1024];
                        while (remaining > 0)
                        {
                            var n = (int)Math.Min(block.Length, remaining);
                            await channel.Stream.WriteAsync(block.AsMemory(0, n));
                            remaining -= n;
                        }
                        break;
                    case "sink":
                        var buffer = new byte[256 * 1024];
                        long total = 0;
                        int read;
                        while ((read = await channel.Stream.ReadAsync(buffer)) > 0) total += read;
                        await channel.Stream.WriteAsync(Encoding.ASCII.GetBytes(total.ToString(CultureInfo.InvariantCulture) + "\n"));
                        break;
                    case "true":
                        break;
                    default:
                        status = 127;
                        break;
                }
                await channel.SendExitStatusAsync(status);
                await channel.SendEofAsync();
                await channel.CloseAsync();
            }
            catch (Exception ex) when (ex is IOException or SshConnectionClosedException or OperationCanceledException or SshProtocolException)
            {
                // the client went away mid-transfer; the timing side reports it
            }
        }
    }
}
