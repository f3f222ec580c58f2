using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Node.Tests.SignIn;

/// <summary>
/// A client's redirect target on loopback (Kestrel, plain HTTP): records the query of every request
/// to <c>/callback</c> and answers with a short page, so a test sees which code (or error) the
/// provider sent the browser back with.
/// </summary>
public sealed class OidcCallbackListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _received = new();
    private readonly Channel<IReadOnlyDictionary<string, string>> _pending = Channel.CreateUnbounded<IReadOnlyDictionary<string, string>>();

    private OidcCallbackListener(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <summary>The callback URL under <paramref name="host"/>: the browser resolves every name to loopback.</summary>
    public string RedirectUri(string host = "127.0.0.1") => $"http://{host}:{Port}/callback";

    /// <summary>Every callback so far, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Received => [.. _received];

    public static async Task<OidcCallbackListener> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var self = new OidcCallbackListener(app);
        app.MapGet("/callback", (HttpContext context) =>
        {
            var query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
            self._received.Enqueue(query);
            self._pending.Writer.TryWrite(query);
            return Results.Text("callback received", "text/plain");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self.Port = new Uri(address).Port;
        return self;
    }

    /// <summary>The query of the next callback not yet waited for, or null if none arrives within <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> WaitForCallbackAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _pending.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
