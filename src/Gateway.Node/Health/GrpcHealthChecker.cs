using System.Globalization;
using System.Net.Http.Headers;
using Gateway.Actors.Health;
using Gateway.Config;

namespace Gateway.Node.Health;

/// <summary>
/// <c>grpc_health_check</c> as Envoy runs it: a unary <c>grpc.health.v1.Health/Check</c> with
/// <c>HealthCheckRequest{service = service_name}</c> over HTTP/2 (h2c for http and h2c upstreams,
/// TLS with ALPN h2 for https), :authority = <c>authority</c> or <c>&lt;to-addr&gt;:&lt;port&gt;</c>,
/// User-Agent <c>Envoy/HC</c> and grpc-timeout = the check's timeout. Success only for grpc-status 0
/// with <c>SERVING</c>. Every other completed reply (another serving status, a non-zero
/// grpc-status, a non-200 or non-gRPC answer, a malformed message) is an immediate failure, because
/// Envoy reports them as "active" failures; a broken connection or a timeout counts towards
/// <c>unhealthy_threshold</c>.
/// </summary>
public sealed class GrpcHealthChecker : HealthCheckerBase
{
    private const int MaxReplyBytes = 64 * 1024;

    private readonly GrpcHealthCheck _check;
    private readonly byte[] _requestFrame;

    public GrpcHealthChecker(GrpcHealthCheck check, TimeSpan timeout)
        : base(timeout)
    {
        ArgumentNullException.ThrowIfNull(check);
        _check = check;
        _requestFrame = GrpcHealthMessages.RequestFrame(check.ServiceName);
    }

    protected override async Task<HealthProbeResult> ProbeAsync(HealthProbeTarget target, Func<CancellationToken, ValueTask<Stream>> openStream, CancellationToken ct)
    {
        await using var connection = new HealthCheckConnection(target, openStream, http2: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, connection.RequestUri(GrpcHealthMessages.Path))
        {
            Version = connection.Version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(_requestFrame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.Host = string.IsNullOrEmpty(_check.Authority) ? target.DefaultAuthority : _check.Authority;
        request.Headers.TryAddWithoutValidation("User-Agent", HttpHealthChecker.UserAgent);
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        request.Headers.TryAddWithoutValidation("grpc-timeout",
            Math.Max(1, (long)Math.Ceiling(Timeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "m");

        using var response = await connection.Invoker.SendAsync(request, ct).ConfigureAwait(false);
        var body = await ReadReplyAsync(response, ct).ConfigureAwait(false);
        return Verdict(response, body);
    }

    private static async Task<byte[]> ReadReplyAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        while (true)
        {
            var read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false);
            if (read == 0)
                return buffer.ToArray();
            if (buffer.Length + read > MaxReplyBytes)
                throw new HealthProbeException($"gRPC reply longer than {MaxReplyBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
    }

    private HealthProbeResult Verdict(HttpResponseMessage response, byte[] body)
    {
        var service = string.IsNullOrEmpty(_check.ServiceName) ? "" : $" for service \"{_check.ServiceName}\"";
        var http = (int)response.StatusCode;
        // A trailers-only reply carries grpc-status in its headers; gRPC says it wins over the HTTP status.
        var headerStatus = GrpcStatus(response.Headers);
        if (http != 200)
        {
            var code = headerStatus ?? GrpcHealthMessages.FromHttpStatus(http);
            return HealthProbeResult.ImmediateFailure($"HTTP {http} to {GrpcHealthMessages.Path} (gRPC {GrpcHealthMessages.StatusCodeName(code)})");
        }
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (contentType is null || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
            return HealthProbeResult.ImmediateFailure($"not a gRPC reply (content-type {contentType ?? "missing"})");

        var grpcStatus = headerStatus ?? GrpcStatus(response.TrailingHeaders);
        if (grpcStatus is null)
            return HealthProbeResult.ImmediateFailure("gRPC reply without grpc-status");
        if (grpcStatus != 0)
        {
            var message = GrpcMessage(response.Headers) ?? GrpcMessage(response.TrailingHeaders);
            return HealthProbeResult.ImmediateFailure(
                $"gRPC status {GrpcHealthMessages.StatusCodeName(grpcStatus.Value)}{service}{(string.IsNullOrEmpty(message) ? "" : ": " + message)}");
        }
        var serving = GrpcHealthMessages.ParseResponse(body, out var problem);
        if (serving is null)
            return HealthProbeResult.ImmediateFailure(problem!);
        var name = GrpcHealthMessages.ServingStatusName(serving.Value);
        return serving == 1
            ? HealthProbeResult.Success($"gRPC {name}{service}")
            : HealthProbeResult.ImmediateFailure($"gRPC status {name}{service}");
    }

    private static int? GrpcStatus(HttpHeaders headers)
        => headers.TryGetValues("grpc-status", out var values)
           && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? code
            : null;

    private static string? GrpcMessage(HttpHeaders headers)
        => headers.TryGetValues("grpc-message", out var values) ? Uri.UnescapeDataString(values.FirstOrDefault() ?? "") : null;
}
