// libFuzzer harness: the line-oriented readers (Adult CSV, SST-2 TSV and JSON lines) and the tokenizer.

func fuzzText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? Adult.parse(bytes, file: "adult")
    _ = try? SST2.parseTSV(bytes, file: "sst2.tsv")
    _ = try? SST2.parseJSONLines(bytes, file: "sst2.jsonl", glueSplit: "train")
    _ = Tokenizer().tokens(String(decoding: bytes, as: UTF8.self))
    return 0
}
