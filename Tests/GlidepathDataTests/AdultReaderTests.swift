import Foundation
import GlidepathData
import GlidepathTestSupport
import Testing

@Suite("UCI Adult reader and encoder on generated fixtures")
struct AdultReaderTests {
    /// Rows in the distributed layout (", " separators, "?" missing, test's header and full stops).
    static let trainText = """
        39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K
        50, ?, 83311, Bachelors, 13, Married-civ-spouse, Exec-managerial, Husband, White, Male, 0, 0, 13, United-States, >50K
        30, Private, 215646, HS-grad, 9, Divorced, ?, Not-in-family, Black, Female, 0, 0, 40, ?, <=50K


        """
    static let testText = """
        |1x3 Cross validator
        25, Private, 226802, 11th, 7, Never-married, Machine-op-inspct, Own-child, Black, Male, 0, 0, 40, United-States, <=50K.
        38, Self-emp-inc, 89814, HS-grad, 9, Married-civ-spouse, Farming-fishing, Husband, White, Male, 0, 0, 50, Peru, >50K.

        """

    @Test func parsesDistributedLayout() throws {
        let train = try Adult.parse(Array(Self.trainText.utf8), file: "adult.data")
        #expect(train.count == 3)
        #expect(train.map(\.label) == [0, 1, 0])
        #expect(train[1].categorical[0] == nil)  // workclass "?"
        #expect(train[2].categorical[7] == nil)  // native-country "?"
        #expect(train[0].numeric == [39, 77516, 13, 2174, 0, 40])
        let test = try Adult.parse(Array(Self.testText.utf8), file: "adult.test")
        #expect(test.map(\.label) == [0, 1])
    }

    /// The byte-level reader (lines, fields and trimming cut as bytes) on the layouts a hand-edited copy may
    /// have: CRLF line ends, tabs and runs of spaces around fields, a comment line with leading spaces, a last
    /// line without a newline; and a non-ASCII value, which adult.names does not list: it is refused, and the
    /// message quotes its bytes intact. Expected fields: the row's own text.
    @Test func parsesCRLFTabsAndNonASCIIFields() throws {
        let text =
            "  | a comment\r\n"
            + "39,\tState-gov , 77516,  Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174,"
            + " 0, 40, Cuba\t, <=50K\r\n"
            + "\t\r\n"
            + "50, ?, 83311, Bachelors, 13, Married-civ-spouse, Exec-managerial, Husband, White, Male, 0, 0, 13, ?, >50K."
        let records = try Adult.parse(Array(text.utf8), file: "adult.test")
        #expect(records.count == 2)
        #expect(records[0].numeric == [39, 77516, 13, 2174, 0, 40])
        #expect(
            records[0].categorical == [
                "State-gov", "Bachelors", "Never-married", "Adm-clerical", "Not-in-family", "White", "Male",
                "Cuba",
            ])
        #expect(records[1].categorical[0] == nil && records[1].categorical[7] == nil)
        #expect(records.map(\.label) == [0, 1])
        let foreign = text.replacingOccurrences(of: "Cuba", with: "Côte-d’Ivoire")
        do {
            _ = try Adult.parse(Array(foreign.utf8), file: "adult.test")
            Issue.record("a country adult.names does not list was accepted")
        } catch {
            #expect("\(error)".contains("\"Côte-d’Ivoire\""), "\(error)")
        }
    }

    @Test func encoderUsesTrainingStatistics() throws {
        let train = try Adult.parse(Array(Self.trainText.utf8), file: "adult.data")
        let test = try Adult.parse(Array(Self.testText.utf8), file: "adult.test")
        let encoder = try AdultEncoder(fitting: train)
        // workclass categories from training, "?" included, scalar order: "?" < "Private" < "State-gov".
        #expect(encoder.categories[0] == ["?", "Private", "State-gov"])
        let encodedTrain = encoder.encode(train)
        let encodedTest = encoder.encode(test)
        let width = encodedTrain.featureCount
        #expect(encodedTest.featureCount == width)
        // Ages 39, 50, 30: mean 119/3, population std sqrt(((39−m)² + (50−m)² + (30−m)²)/3).
        let mean = 119.0 / 3
        let deviation = ((pow(39 - mean, 2) + pow(50 - mean, 2) + pow(30 - mean, 2)) / 3).squareRoot()
        expectClose(Double(encodedTrain.features[0]), (39 - mean) / deviation, relativeTolerance: 1e-6)
        expectClose(Double(encodedTest.features[0]), (25 - mean) / deviation, relativeTolerance: 1e-6)
        // Test row 2's workclass "Self-emp-inc" and country "Peru" (values adult.names lists) were never seen in training: all-zero blocks.
        let names = encoder.featureNames
        let workclassColumns = names.indices.filter { names[$0].hasPrefix("workclass=") }
        #expect(workclassColumns.allSatisfy { encodedTest.features[width + $0] == 0 })
        let privateColumn = try #require(names.firstIndex(of: "workclass=Private"))
        #expect(encodedTest.features[privateColumn] == 1)
        let missingCountry = try #require(names.firstIndex(of: "native-country=?"))
        #expect(encodedTrain.features[2 * width + missingCountry] == 1)
    }

    @Test func malformedRowsNameTheLine() throws {
        let wrongCount = "39, State-gov, 77516, Bachelors, 13, Never-married\n"
        #expect(
            throws: DataError(file: "adult.data", location: .line(1), problem: .malformedRow("6 fields (expected 15)"))
        ) {
            try Adult.parse(Array(wrongCount.utf8), file: "adult.data")
        }
        let badNumber =
            "\nabc, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K\n"
        #expect(
            throws: DataError(
                file: "adult.data", location: .line(2), problem: .malformedRow("age \"abc\" is not a number"))
        ) {
            try Adult.parse(Array(badNumber.utf8), file: "adult.data")
        }
        let badLabel =
            "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, 50K\n"
        #expect(
            throws: DataError(
                file: "adult.test", location: .line(1),
                problem: .malformedRow("income \"50K\" is neither <=50K nor >50K"))
        ) {
            try Adult.parse(Array(badLabel.utf8), file: "adult.test")
        }
        #expect(throws: DataError(file: "/nonexistent/adult.data", problem: .missingFile)) {
            try Adult.read(.train, from: "/nonexistent")
        }
    }
}
