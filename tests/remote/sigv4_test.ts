/**
 * SigV4 as the s3 backend signs (lib/remote/s3.ts through aws4fetch), checked against AWS's
 * published examples: s3rver, the S3 server the end-to-end tests run, checks the access
 * key id but not the signature, so the signature is proven here.
 */
import assert from "node:assert/strict";
import { sha256Hex } from "../../lib/cas/sha256.ts";
import { objectUrl, parseS3Url, signRequest } from "../../lib/remote/s3.ts";

const SUITE = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};
const S3_EXAMPLES = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const EMPTY = sha256Hex(new Uint8Array());

function signatureOf(headers: Headers): string {
  return /Signature=([0-9a-f]{64})$/.exec(headers.get("authorization") ?? "")?.[1] ?? "";
}

Deno.test("SigV4 test suite: get-vanilla and get-vanilla-query-order-key-case", async () => {
  const vanilla = await signRequest({
    method: "GET",
    url: "https://example.amazonaws.com/",
    payloadSha256: null,
    region: "us-east-1",
    service: "service",
    datetime: "20150830T123600Z",
  }, SUITE);
  assert.equal(
    vanilla.get("authorization"),
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  );
  const query = await signRequest({
    method: "GET",
    url: "https://example.amazonaws.com/?Param2=value2&Param1=value1",
    payloadSha256: null,
    region: "us-east-1",
    service: "service",
    datetime: "20150830T123600Z",
  }, SUITE);
  assert.equal(
    signatureOf(query),
    "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
  );
});

Deno.test("SigV4 S3 examples: GET object with a range, PUT object with a signed payload, GET ?lifecycle", async () => {
  const get = await signRequest({
    method: "GET",
    url: "https://examplebucket.s3.amazonaws.com/test.txt",
    headers: { range: "bytes=0-9" },
    payloadSha256: EMPTY,
    region: "us-east-1",
    datetime: "20130524T000000Z",
  }, S3_EXAMPLES);
  assert.match(
    get.get("authorization")!,
    /SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, /,
  );
  assert.equal(
    signatureOf(get),
    "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
  );

  const body = new TextEncoder().encode("Welcome to Amazon S3.");
  assert.equal(
    sha256Hex(body),
    "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
  );
  const put = await signRequest({
    method: "PUT",
    url: "https://examplebucket.s3.amazonaws.com/test$file.text",
    headers: { date: "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class": "REDUCED_REDUNDANCY" },
    payloadSha256: sha256Hex(body),
    region: "us-east-1",
    datetime: "20130524T000000Z",
  }, S3_EXAMPLES);
  assert.equal(
    signatureOf(put),
    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
  );

  const lifecycle = await signRequest({
    method: "GET",
    url: "https://examplebucket.s3.amazonaws.com/?lifecycle",
    payloadSha256: EMPTY,
    region: "us-east-1",
    datetime: "20130524T000000Z",
  }, S3_EXAMPLES);
  assert.equal(
    signatureOf(lifecycle),
    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
  );
  // A wrong secret gives another signature: what s3rver would not notice.
  const wrong = await signRequest({
    method: "GET",
    url: "https://examplebucket.s3.amazonaws.com/?lifecycle",
    payloadSha256: EMPTY,
    region: "us-east-1",
    datetime: "20130524T000000Z",
  }, { ...S3_EXAMPLES, secretAccessKey: "not-the-secret" });
  assert.notEqual(signatureOf(wrong), signatureOf(lifecycle));
});

Deno.test("s3 URLs: path style with an endpoint, virtual-host style on AWS, prefixes and keys encoded", () => {
  const path = parseS3Url("s3://team-cache/sqlink/v1?endpoint=http://127.0.0.1:9000&region=eu-1");
  assert.equal(path.style, "path");
  assert.equal(path.region, "eu-1");
  assert.equal(
    objectUrl(path, "cas/abc"),
    "http://127.0.0.1:9000/team-cache/sqlink/v1/cas/abc",
  );
  const aws = parseS3Url("s3://team-cache/p?region=eu-west-1");
  assert.equal(aws.style, "virtual");
  assert.equal(
    objectUrl(aws, "refs/bundles/x"),
    "https://team-cache.s3.eu-west-1.amazonaws.com/p/refs/bundles/x",
  );
  const virtual = parseS3Url("s3://b1b/?endpoint=https://minio.example:9000&style=virtual");
  assert.equal(objectUrl(virtual, "cas/k"), "https://b1b.minio.example:9000/cas/k");
  assert.equal(
    objectUrl(parseS3Url("s3://bkt?endpoint=http://h"), "a b/c"),
    "http://h/bkt/a%20b/c",
  );
  assert.throws(() => parseS3Url("s3://Bad_Bucket/x"), /not an S3 bucket name/);
  assert.throws(() => parseS3Url("s3://bkt/x?endpint=http://h"), /unknown parameter "endpint"/);
  assert.throws(() => parseS3Url("s3://bkt/x?style=sideways&endpoint=http://h"), /style/);
});
