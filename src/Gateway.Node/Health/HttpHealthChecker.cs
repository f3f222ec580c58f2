using System.Net.Http.Headers;
using Gateway.Actors.Health;
using Gateway.Config;

namespace Gateway.Node.Health;

/// <summary>
/// <c>http_health_check</c> as Envoy runs it: GET <c>path</c> on a fresh connection, Host = the
/// check's <c>host</c> or <c>&lt;to-addr&gt;:&lt;port&gt;</c>, User-Agent <c>Envoy/HC</c> (unless
/// <c>request_headers_to_remove</c> names it), the whole response read, then Envoy's verdict in
/// Envoy's order: <c>receive</c> payloads (in the first <c>response_buffer_size</c> bytes of the
/// body), then the status against <c>expected_statuses</c> and <c>retriable_statuses</c>, then
/// <c>x-envoy-degraded</c>. <c>send</c> is accepted and not sent: Envoy marks it not implemented
/// and sends the GET without a body.
/// </summary>
public sealed class HttpHealthChecker : HealthCheckerBase
{
    /// <summary>Envoy's default <c>response_buffer_size</c>.</summary>
    public const int DefaultResponseBufferSize = 1024;

    /// <summary><c>response_buffer_size = 0</c> means "the whole body" in Envoy; the gateway stops at this.</summary>
    public const int UnboundedResponseBufferCap = 1024 * 1024;

    public const string UserAgent = "Envoy/HC";

    public const string DegradedHeader = "x-envoy-degraded";

    private static readonly StatusRange[] DefaultExpected = [new(200, 201)];

    private readonly HttpHealthCheck _check;
    private readonly IReadOnlyList<StatusRange> _expected;
    private readonly int _bufferSize;
    private readonly bool _sendUserAgent;

    public HttpHealthChecker(HttpHealthCheck check, TimeSpan timeout)
        : base(timeout)
    {
        ArgumentNullException.ThrowIfNull(check);
        _check = check;
        _expected = check.ExpectedStatuses.Count > 0 ? check.ExpectedStatuses : DefaultExpected;
        var configured = check.ResponseBufferSize ?? DefaultResponseBufferSize;
        _bufferSize = configured == 0 ? UnboundedResponseBufferCap : configured;
        var receiveLength = PayloadMatcher.TotalLength(check.Receive);
        if (receiveLength > _bufferSize)
        {
            // Envoy refuses this configuration at load: the payloads could never all fit.
            throw new ArgumentException(
                $"the receive payloads ({receiveLength} bytes) are longer than response_buffer_size ({_bufferSize} bytes)", nameof(check));
        }
        _sendUserAgent = !check.RequestHeadersToRemove.Any(h => h.Equals("user-agent", StringComparison.OrdinalIgnoreCase));
    }

    protected override async Task<HealthProbeResult> ProbeAsync(HealthProbeTarget target, Func<CancellationToken, ValueTask<Stream>> openStream, CancellationToken ct)
    {
        if (_check.CodecClientType == HealthCheckCodec.Http3)
            return HealthProbeResult.Failure("HTTP/3 is not supported through a tunnel");

        await using var connection = new HealthCheckConnection(target, openStream, _check.CodecClientType == HealthCheckCodec.Http2);
        using var request = new HttpRequestMessage(HttpMethod.Get, connection.RequestUri(_check.Path))
        {
            Version = connection.Version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        // Envoy refuses to remove Host (and pseudo-headers), so the Host is always sent.
        request.Headers.Host = string.IsNullOrEmpty(_check.Host) ? target.DefaultAuthority : _check.Host;
        if (_sendUserAgent)
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);

        using var response = await connection.Invoker.SendAsync(request, ct).ConfigureAwait(false);
        var body = await ReadBodyAsync(response, ct).ConfigureAwait(false);
        return Verdict((int)response.StatusCode, response.Headers, body);
    }

    /// <summary>
    /// Reads the response to its end (Envoy decides on the complete response), keeping the first
    /// <c>response_buffer_size</c> bytes only when there are payloads to look for.
    /// </summary>
    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var keep = _check.Receive.Count > 0 ? _bufferSize : 0;
        var kept = new byte[keep];
        var filled = 0;
        var scratch = new byte[4096];
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        while (true)
        {
            var target = filled < keep ? kept.AsMemory(filled) : scratch;
            var read = await body.ReadAsync(target, ct).ConfigureAwait(false);
            if (read == 0)
                return kept.AsMemory(0, filled);
            if (filled < keep)
                filled += read;
        }
    }

    private HealthProbeResult Verdict(int status, HttpResponseHeaders headers, ReadOnlyMemory<byte> body)
    {
        var what = $"HTTP {status} from {_check.Path}";
        if (_check.Receive.Count > 0 && !PayloadMatcher.Matches(_check.Receive, body.Span))
        {
            return HealthProbeResult.ImmediateFailure(
                $"{what}: the expected response was not in the first {body.Length} bytes of the body");
        }
        if (!_expected.Any(r => r.Contains(status)))
        {
            return _check.RetriableStatuses.Any(r => r.Contains(status))
                ? HealthProbeResult.Failure($"{what} (retriable)")
                : HealthProbeResult.ImmediateFailure(what);
        }
        return headers.Contains(DegradedHeader)
            ? HealthProbeResult.Degraded($"{what} with {DegradedHeader}")
            : HealthProbeResult.Success(what);
    }
}
