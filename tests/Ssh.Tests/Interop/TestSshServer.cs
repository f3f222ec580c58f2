using Gateway.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Ssh.Auth;
using Gateway.Ssh.Connection;
using Gateway.Ssh.Keys;
using Gateway.Ssh.Server;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// Our SSH server on a loopback port with a small command set, for driving with real clients:
/// <c>echo TEXT</c>, <c>cat</c>, <c>sha256</c> (hex digest of stdin), <c>generate N</c> (N bytes of a
/// fixed pattern), <c>exit N</c>, <c>stderr TEXT</c>. Forward requests are accepted and recorded.
/// </summary>
public sealed class TestSshServer : IAsyncDisposable
{
    private readonly SshServer _server;
    private readonly Handler _handler;

    private TestSshServer(SshServer server, Handler handler, IReadOnlyList<SshPrivateKey> hostKeys)
    {
        _server = server;
        _handler = handler;
        HostKeys = hostKeys;
    }

    public int Port => _server.LocalEndPoint.Port;
    public IReadOnlyList<SshPrivateKey> HostKeys { get; }
    public SshServer Server => _server;

    /// <summary>Host keys as known_hosts key parts ("type base64").</summary>
    public string HostKeyLine(int index = 0) => SshKeys.FormatAuthorizedKey(HostKeys[index].PublicKey);

    public ConcurrentQueue<SshServerSession> Sessions => _handler.Sessions;
    public ConcurrentQueue<RemoteForwardRequest> ForwardRequests => _handler.Forwards;
    public ConcurrentQueue<(string Address, uint Port)> Cancels => _handler.Cancels;

    public static TestSshServer Start(
        IReadOnlyCollection<SshPublicKey> authorizedKeys,
        IReadOnlyCollection<SshPublicKey>? trustedCaKeys = null,
        IReadOnlyList<SshPrivateKey>? hostKeys = null,
        SshAlgorithmPreferences? algorithms = null,
        Func<SshTransportOptions, SshTransportOptions>? configureTransport = null)
    {
        hostKeys ??= [SshKeys.Generate(SshKeyKind.Ed25519), SshKeys.Generate(SshKeyKind.EcdsaP256), SshKeys.Generate(SshKeyKind.Rsa, 3072)];
        var transport = new SshTransportOptions { HostKeys = hostKeys, Algorithms = algorithms ?? AllAlgorithms() };
        if (configureTransport is not null) transport = configureTransport(transport);
        var handler = new Handler();
        var options = new SshServerOptions
        {
            Transport = transport,
            Authentication = new SshServerAuthOptions
            {
                Authenticator = new KeyAuthenticator(authorizedKeys),
                TrustedUserCaKeys = trustedCaKeys ?? [],
            },
        };
        var server = new SshServer(options, handler);
        server.Start(new IPEndPoint(IPAddress.Loopback, 0));
        return new TestSshServer(server, handler, hostKeys);
    }

    /// <summary>Every algorithm the library implements, ECDH on NIST P-256 included.</summary>
    public static SshAlgorithmPreferences AllAlgorithms()
    {
        var preferences = new SshAlgorithmPreferences();
        preferences.KeyExchange.Add("ecdh-sha2-nistp256");
        return preferences;
    }

    public async Task<SshServerSession> WaitForSessionAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Sessions.TryPeek(out var session)) return session;
            await Task.Delay(20);
        }
        throw new TimeoutException("no SSH session was established");
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>The fixed byte pattern of <c>generate N</c>.</summary>
    public static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (var i = 0; i < length; i++) data[i] = (byte)(i * 31 + (i >> 8));
        return data;
    }

    private sealed class KeyAuthenticator(IReadOnlyCollection<SshPublicKey> keys) : ISshServerAuthenticator
    {
        public IReadOnlyList<string> GetMethods(SshAuthState state) => [SshAuthMethods.PublicKey];

        public ValueTask<AuthDecision> AuthenticatePublicKeyAsync(PublicKeyAuthContext context, CancellationToken ct)
        {
            if (context.Certificate is { } certificate)
                return ValueTask.FromResult(certificate.Principals.Contains(context.Username) ? AuthDecision.Success() : AuthDecision.Failure);
            return ValueTask.FromResult(keys.Contains(context.Key) ? AuthDecision.Success() : AuthDecision.Failure);
        }

        public ValueTask<AuthDecision> AuthenticateKeyboardInteractiveAsync(KeyboardInteractiveContext context, CancellationToken ct)
            => ValueTask.FromResult(AuthDecision.Failure);
    }

    private sealed class Handler : ISshSessionHandler
    {
        private int _nextPort = 40000;
        public ConcurrentQueue<SshServerSession> Sessions { get; } = new();
        public ConcurrentQueue<RemoteForwardRequest> Forwards { get; } = new();
        public ConcurrentQueue<(string, uint)> Cancels { get; } = new();

        public ISshConnectionHandler CreateConnectionHandler(SshAuthenticatedUser user, SshTransport transport) => new ConnectionHandler(this);

        public Task OnSessionStartedAsync(SshServerSession session, CancellationToken cancellationToken)
        {
            Sessions.Enqueue(session);
            return Task.CompletedTask;
        }

        private sealed class ConnectionHandler(Handler owner) : ISshConnectionHandler
        {
            public ValueTask<RemoteForwardDecision> OnRemoteForwardRequestAsync(RemoteForwardRequest request)
            {
                owner.Forwards.Enqueue(request);
                var port = request.Port == 0 ? (uint)Interlocked.Increment(ref owner._nextPort) : request.Port;
                return ValueTask.FromResult(RemoteForwardDecision.Accept(request.Port == 0 ? port : null));
            }

            public ValueTask<bool> OnCancelRemoteForwardAsync(string bindAddress, uint port)
            {
                owner.Cancels.Enqueue((bindAddress, port));
                return ValueTask.FromResult(true);
            }

            public ValueTask<ChannelOpenDecision> OnChannelOpenAsync(ChannelOpenRequest request)
                => ValueTask.FromResult(request.Type == ChannelOpenRequest.Session ? ChannelOpenDecision.Accept() : ChannelOpenDecision.Refuse());

            public ValueTask<bool> OnChannelRequestAsync(SshChannel channel, ChannelRequest request)
            {
                switch (request)
                {
                    case ExecRequest exec:
                        _ = Task.Run(() => RunCommandAsync(channel, exec.Command));
                        return ValueTask.FromResult(true);
                    case ShellRequest:
                        _ = Task.Run(() => RunCommandAsync(channel, "cat"));
                        return ValueTask.FromResult(true);
                    case PtyRequest or EnvRequest or WindowChangeRequest:
                        return ValueTask.FromResult(true);
                    default:
                        return ValueTask.FromResult(false);
                }
            }
        }

        private static async Task RunCommandAsync(SshChannel channel, string command)
        {
            uint status = 0;
            try
            {
                var verb = command.Split(' ', 2)[0];
                var argument = command.Length > verb.Length ? command[(verb.Length + 1)..] : "";
                switch (verb)
                {
                    case "echo":
                        await channel.Stream.WriteAsync(Encoding.UTF8.GetBytes(argument + "\n"));
                        break;
                    case "cat":
                        await channel.Stream.CopyToAsync(channel.Stream);
                        break;
                    case "sha256":
                        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                        {
                            var buffer = new byte[64 * 1024];
                            long total = 0;
                            int read;
                            while ((read = await channel.Stream.ReadAsync(buffer)) > 0)
                            {
                                sha.AppendData(buffer, 0, read);
                                total += read;
                            }
                            await channel.Stream.WriteAsync(Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(sha.GetHashAndReset())} {total}\n"));
                        }
                        break;
                    case "generate":
                        var remaining = long.Parse(argument, System.Globalization.CultureInfo.InvariantCulture);
                        var block = Pattern(256 * 1024);
                        while (remaining > 0)
                        {
                            var n = (int)Math.Min(block.Length, remaining);
                            await channel.Stream.WriteAsync(block.AsMemory(0, n));
                            remaining -= n;
                        }
                        break;
                    case "exit":
                        status = uint.Parse(argument, System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    case "stderr":
                        await channel.StandardError.WriteAsync(Encoding.UTF8.GetBytes(argument + "\n"));
                        status = 1;
                        break;
                    default:
                        await channel.StandardError.WriteAsync(Encoding.UTF8.GetBytes($"unknown command: {verb}\n"));
                        status = 127;
                        break;
                }
                await channel.SendExitStatusAsync(status);
                await channel.SendEofAsync();
                await channel.CloseAsync();
            }
            catch (Exception ex) when (ex is IOException or SshConnectionClosedException or OperationCanceledException or SshProtocolException)
            {
                // the client went away; nothing to report to it
            }
        }
    }
}
